"""The Markdown the reports write, as LaTeX: headings, paragraphs, lists, pipe tables, figures, citations.

Only the subset kickgan's own pages use: ``#``..``####`` headings, ``- `` lists, pipe tables (the
separator row sets the alignment), a line holding only ``![caption](file)`` (a figure; the PDF
beside a PNG is used), and inline ``**bold**``, ``*emphasis*``, ``` `code` ```, ``[text](url)`` and
pandoc citations ``[@key]`` / ``[@a; @b]`` (``\\cite``). Everything else is text, with LaTeX's special
characters escaped. A wide table shrinks to the line width (``adjustbox``).
"""

from __future__ import annotations

import re

HEADINGS = {1: "section", 2: "section", 3: "subsection", 4: "subsubsection"}
SPECIAL = {"\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#",
           "^": "\\textasciicircum{}", "_": "\\_", "%": "\\%", "~": "\\textasciitilde{}"}
UNICODE = {"±": "$\\pm$", "↓": "$\\downarrow$", "↑": "$\\uparrow$", "→": "$\\to$", "×": "$\\times$",
           "≥": "$\\geq$", "≤": "$\\leq$", "–": "--", "—": "---", "…": "\\dots{}", "°": "$^\\circ$",
           "≈": "$\\approx$", "−": "$-$", "µ": "$\\mu$", "Δ": "$\\Delta$"}
INLINE = re.compile(r"`(?P<code>[^`]+)`|\[@(?P<cite>[^\]]+)\]|\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\)"
                    r"|\*\*(?P<bold>.+?)\*\*|\*(?P<emph>[^*\s][^*]*)\*")
FIGURE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)\s]+)\)$")


def escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped and the known Unicode symbols as LaTeX."""
    return "".join(SPECIAL.get(ch, UNICODE.get(ch, ch)) for ch in text)


def code(text: str) -> str:
    """A code span's text escaped, with a line break allowed after each ``.``, ``/`` and ``_`` (a long
    module path in ``\\texttt`` would otherwise run into the margin)."""
    return "".join(escape(ch) + ("\\allowbreak{}" if ch in "./_" else "") for ch in text)


def inline(text: str) -> str:
    """One line of Markdown text as LaTeX."""
    out, pos = [], 0
    for m in INLINE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        pos = m.end()
        if m["code"] is not None:
            out.append(f"\\texttt{{{code(m['code'])}}}")
        elif m["cite"] is not None:
            keys = [k.strip().lstrip("@") for k in m["cite"].split(";")]
            out.append(f"\\cite{{{','.join(keys)}}}")
        elif m["url"] is not None:
            out.append(f"\\href{{{m['url']}}}{{{inline(m['text'])}}}")
        elif m["bold"] is not None:
            out.append(f"\\textbf{{{inline(m['bold'])}}}")
        else:
            out.append(f"\\emph{{{inline(m['emph'])}}}")
    return "".join(out) + escape(text[pos:])


def table(lines: list[str]) -> str:
    """A pipe table (header, separator, rows) as a booktabs ``tabular`` inside an ``adjustbox``."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    align = "".join("r" if c.endswith(":") else "l" for c in rows[1])
    body = [" & ".join(inline(c) for c in rows[0]) + " \\\\", "\\midrule"]
    body += [" & ".join(inline(c) for c in row) + " \\\\" for row in rows[2:]]
    return "\n".join(["\\begin{center}", "\\begin{adjustbox}{max width=\\linewidth}",
                      f"\\begin{{tabular}}{{{align}}}", "\\toprule", *body, "\\bottomrule", "\\end{tabular}",
                      "\\end{adjustbox}", "\\end{center}"])


def figure(caption: str, path: str) -> str:
    """A figure floating at the top, the graphic at the line width."""
    graphic = re.sub(r"\.png$", ".pdf", path)
    return "\n".join(["\\begin{figure}[tbp]", "\\centering", f"\\includegraphics[width=\\linewidth]{{{graphic}}}",
                      f"\\caption{{{inline(caption)}}}", "\\end{figure}"])


def markdown_to_latex(markdown: str) -> str:
    """The body of a LaTeX document from Markdown (blocks separated by blank lines)."""
    out, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        heading = re.match(r"^(#{1,4}) (.*)$", line)
        if heading:
            out.append(f"\\{HEADINGS[len(heading[1])]}{{{inline(heading[2])}}}")
            i += 1
            continue
        block = []
        while i < len(lines) and lines[i].strip() and not re.match(r"^#{1,4} ", lines[i]):
            block.append(lines[i].rstrip())
            i += 1
        out.append(_block(block))
    return "\n\n".join(out) + "\n"


def _block(block: list[str]) -> str:
    if block[0].startswith("|"):
        return table(block)
    if len(block) == 1 and FIGURE.match(block[0]):
        m = FIGURE.match(block[0])
        return figure(m["caption"], m["path"])
    if block[0].startswith("- "):
        items: list[str] = []
        for b in block:  # a line that does not start an item continues the last one
            if b.startswith("- "):
                items.append(b[2:])
            else:
                items[-1] += " " + b.strip()
        items = [inline(it) for it in items]
        return "\\begin{itemize}\n" + "\n".join(f"\\item {it}" for it in items) + "\n\\end{itemize}"
    return "\n".join(inline(b) for b in block)


def document(title: str, body: str, bibliography: str) -> str:
    """A complete article around ``body``, citing from ``BIBLIOGRAPHY.bib``."""
    return "\n".join([
        "\\documentclass[11pt]{article}",
        "\\usepackage[utf8]{inputenc}",
        "\\usepackage[T1]{fontenc}",
        "\\usepackage[margin=2.5cm]{geometry}",
        "\\usepackage{booktabs}",
        "\\usepackage{adjustbox}",
        "\\usepackage{graphicx}",
        "\\usepackage{hyperref}",
        f"\\title{{{inline(title)}}}",
        "\\date{}",
        "\\begin{document}",
        "\\maketitle",
        "",
        body,
        "\\bibliographystyle{plain}",
        f"\\bibliography{{{bibliography}}}",
        "\\end{document}",
        "",
    ])
