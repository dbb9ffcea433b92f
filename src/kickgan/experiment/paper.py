"""``kickgan paper``: a paper's Methodology and Results, in LaTeX and Markdown, from an experiment's files.

Every number comes from the report folder: ``experiment.json`` (configs, layer tables, dataset and
licences, budget, runs, metrics), the figures ``kickgan report`` and ``kickgan analyse`` drew, and
``analysis.md`` when the analysis ran. The results table is the one ``results.md`` / ``results.tex``
hold (same functions, same record). Introduction and Discussion are headings marked for the author:
nothing here writes prose about what the results mean.

Writes ``OUT/paper.md`` (pandoc citations ``[@key]``), ``OUT/paper.tex``, ``OUT/references.bib`` and
``OUT/figures/`` (copies of the report's figures, so the folder compiles on its own).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from kickgan.experiment import latex, references, results
from kickgan.experiment.ablation import ablation_markdown
from kickgan.experiment.methods import methods_markdown
from kickgan.experiment.record import budget_text, load_record
from kickgan.experiment.report import results_markdown
from kickgan.io import atomic_path, check_folder, write_text

PANDOC = "<!-- pandoc paper.md --citeproc --bibliography references.bib -o paper.pdf -->"
AUTHOR = "*[To be written by the author: this section is deliberately left empty.]*"
# figure stem -> what it shows (the budget and seeds are added to every caption)
FIGURES = (
    ("quality_vs_time", "Quality during training (left) and of each evaluated run against the steps it reached (right)."),
    ("loss_curves", "Discriminator and generator losses against generator steps; one panel per model, one line per seed."),
    ("spectrograms", "Log-mel spectrograms of real kicks (top row) and of each model's first kicks."),
    ("descriptors", "Distributions of the kick descriptors, real against each model (seeds pooled)."),
    ("power_spectra", "Averaged power spectra, real against each model."),
    ("spatial_patterns", "Spatial patterns: pitch glide and decay envelope (mean and one standard deviation), "
                         "onset sharpness."),
    ("nonspatial_distributions", "Nonspatial distributions: per-bin mean and standard deviation of the log-magnitude, "
                                 "the 1-D power spectrum of the spectrogram images, histograms at three bins."),
)


@dataclass(frozen=True)
class Raw:
    """A block written one way in Markdown and another in LaTeX (not converted)."""

    md: str
    tex: str


def sections(record: dict, folder: Path, out: Path) -> list[str | Raw]:
    """The paper as blocks of Markdown (converted to LaTeX) and :class:`Raw` pairs."""
    blocks: list[str | Raw] = [
        "## Introduction\n", AUTHOR + "\n",
        "## Methodology\n",
        f"Every number below is read from the experiment's record (`experiment.json`, format "
        f"{record.get('format', '?')}) by `kickgan paper`.\n",
        _citations(record),
        _demote(methods_markdown(record)),
        "## Results\n",
    ]
    blocks += _results(record)
    blocks += _figures(record, folder, out)
    analysis = folder / "analysis.md"
    if analysis.is_file():
        text = "\n".join(line for line in analysis.read_text(encoding="utf-8").splitlines()
                         if not line.startswith("!["))
        blocks += ["### Spatial patterns and nonspatial distributions\n", _demote(text)]
    blocks += ["### Ablations\n", ablation_markdown(record)]
    if (folder / "index.html").is_file():
        link = Path(os.path.relpath(folder / "index.html", out)).as_posix()
        blocks.append(f"Audio gallery: [{link}]({link}).\n")
    blocks += ["## Discussion\n", AUTHOR + "\n"]
    return blocks


def _citations(record: dict) -> str:
    lines = ["### Methods and their references\n", "| method | used by | reference |", "| --- | --- | --- |"]
    for what, users, keys in references.cited(record):
        lines.append(f"| {what} | {', '.join(users)} | [{'; '.join('@' + k for k in keys)}] |")
    return "\n".join(lines) + "\n"


def _results(record: dict) -> list[str | Raw]:
    """``results.md`` without its title, its table shared with ``results.tex``."""
    text = results_markdown(record).split("\n", 1)[1]
    table = "\n".join(line for line in text.splitlines() if line.startswith("|")) + "\n"
    before, after = text.split(table, 1)
    tex = "\n".join(["\\begin{center}", "\\begin{adjustbox}{max width=\\linewidth}", results.latex_table(record)
                     + "\\end{adjustbox}", "\\end{center}", ""])
    return [before, Raw(table, tex), after]


def _figures(record: dict, folder: Path, out: Path) -> list[str]:
    """A figure block per report figure that exists, copied into ``OUT/figures``."""
    seeds = ", ".join(map(str, record["spec"]["seeds"]))
    blocks = []
    for stem, what in FIGURES:
        sources = [folder / "figures" / f"{stem}.{ext}" for ext in ("png", "pdf")]
        if not all(p.is_file() for p in sources):
            continue
        for src in sources:
            with atomic_path(out / "figures" / src.name) as tmp:
                shutil.copyfile(src, tmp)
        blocks.append(f"![{what} Budget {budget_text(record)} per run; seeds {seeds}.](figures/{stem}.png)\n")
    return blocks


def _demote(markdown: str) -> str:
    """A page's sections one level down, its ``# title`` line dropped."""
    lines = markdown.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + line if re.match(r"^#{1,3} ", line) else line for line in lines) + "\n"


def render(blocks: list[str | Raw]) -> tuple[str, str]:
    """``(markdown, latex body)`` of the blocks."""
    md = "\n".join(b.md if isinstance(b, Raw) else b for b in blocks)
    tex = "\n".join(b.tex if isinstance(b, Raw) else latex.markdown_to_latex(b) for b in blocks)
    return md, tex


def write_paper(folder: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write ``paper.md``, ``paper.tex``, ``references.bib`` and ``figures/`` into ``out`` (default ``FOLDER/paper``)."""
    folder = Path(folder)
    record = load_record(folder)
    out = check_folder(folder / "paper" if out is None else out)
    md, body = render(sections(record, folder, out))
    title = f"{record['name']}: experiment report"
    written = [out / "paper.md", out / "paper.tex", out / "references.bib"]
    write_text(written[0], f"{PANDOC}\n\n# {title}\n\n{md}")
    write_text(written[1], latex.document(title, body, "references"))
    write_text(written[2], references.bibtex())
    return written + sorted((out / "figures").glob("*"))
