"""`kickgan paper` on a synthetic experiment: a well-formed .tex without TeX, tables equal to results.md's."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_experiment_report import make_record, md_table

from kickgan.cli import paper as paper_cli
from kickgan.errors import KickganError
from kickgan.experiment import latex
from kickgan.experiment.analysis_report import write_analysis
from kickgan.experiment.paper import AUTHOR, write_paper
from kickgan.experiment.report import write_report

REQUIRED_KEYS = {"radford2016dcgan", "donahue2019wavegan", "gulrajani2017wgangp", "durall2020upconv",
                 "prusa2017pghi", "zhao2020diffaugment", "ma2022aisfx", "lipman2023flow"}


def latex_problems(tex: str, out: Path, bib_keys: set[str]) -> list[str]:
    """What keeps ``tex`` from compiling that can be checked without TeX."""
    problems = []
    body = re.sub(r"(?<!\\)%.*", "", tex.replace("\\\\", "  ").replace("\\%", "  "))  # comments out
    plain = body.replace("\\{", "  ").replace("\\}", "  ")
    depth = 0
    for ch in plain:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            problems.append("a } closes nothing")
            depth = 0
    if depth:
        problems.append(f"{depth} unclosed {{")
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]+)\}", body):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            problems.append(f"\\end{{{env}}} does not close the open environment")
    problems += [f"\\begin{{{env}}} never ends" for env in stack]
    for n, line in enumerate(body.splitlines(), 1):
        if line.replace("\\$", "").count("$") % 2:
            problems.append(f"line {n}: unbalanced $")
    for keys in re.findall(r"\\cite\{([^}]*)\}", body):
        problems += [f"\\cite{{{k}}} not in the .bib" for k in keys.split(",") if k not in bib_keys]
    for path in re.findall(r"\\includegraphics(?:\[[^\]]*\])?\{([^}]*)\}", body):
        if not (out / path).is_file():
            problems.append(f"\\includegraphics{{{path}}}: no such file")
    return problems


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("experiment")
    make_record(folder)
    write_report(folder)
    write_analysis(folder, log=lambda _: None)
    write_paper(folder, folder / "paper")
    return folder, folder / "paper"


def _bib_keys(out: Path) -> set[str]:
    return set(re.findall(r"^@\w+\{([^,]+),", (out / "references.bib").read_text(), flags=re.M))


def test_tex_is_well_formed_and_cites_only_bib_keys(paper):
    _, out = paper
    tex = (out / "paper.tex").read_text()
    assert latex_problems(tex, out, _bib_keys(out)) == []
    assert tex.isascii()  # ±, arrows and the like become LaTeX commands
    cites = {k for keys in re.findall(r"\\cite\{([^}]*)\}", tex) for k in keys.split(",")}
    assert {"radford2016dcgan", "durall2020upconv"} <= cites  # the fixture's dcgan models; artefact metric
    assert tex.count("\\includegraphics") == 7  # the report's five figures and the analysis' two


def test_the_checker_catches_what_it_looks_for(tmp_path):
    broken = "\\begin{itemize}\\textbf{x\n$a\n\\cite{nobody}\\includegraphics{gone.pdf}\\end{center}"
    problems = latex_problems(broken, tmp_path, {"somebody"})
    assert "1 unclosed {" in problems and "line 2: unbalanced $" in problems
    assert "\\cite{nobody} not in the .bib" in problems and "\\includegraphics{gone.pdf}: no such file" in problems
    assert "\\end{center} does not close the open environment" in problems


def test_bib_holds_the_required_references(paper):
    _, out = paper
    assert REQUIRED_KEYS <= _bib_keys(out)


def test_results_tables_equal_results_md_and_results_tex(paper):
    folder, out = paper
    paper_md, results_md = (out / "paper.md").read_text(), (folder / "results.md").read_text()
    results_rows = md_table(results_md)
    start = md_table(paper_md).index(results_rows[0])
    assert md_table(paper_md)[start:start + len(results_rows)] == results_rows
    tabular = (folder / "results.tex").read_text().strip()
    assert tabular in (out / "paper.tex").read_text()


def test_introduction_and_discussion_are_left_to_the_author(paper):
    _, out = paper
    md, tex = (out / "paper.md").read_text(), (out / "paper.tex").read_text()
    for name in ("Introduction", "Discussion"):
        assert re.search(rf"## {name}\n\n{re.escape(AUTHOR)}\n(\n##|$)", md)
        assert f"\\section{{{name}}}\n\n{latex.inline(AUTHOR)}\n" in tex


def test_figures_are_copied_with_budget_and_seeds_in_every_caption(paper):
    folder, out = paper
    captions = re.findall(r"\\caption\{(.*)\}", (out / "paper.tex").read_text())
    assert len(captions) == 7 and all("Budget 100 steps per run; seeds 0, 1." in c for c in captions)
    for stem in ("loss_curves", "spatial_patterns"):
        assert (out / "figures" / f"{stem}.pdf").read_bytes() == (folder / "figures" / f"{stem}.pdf").read_bytes()
    assert "[../index.html](../index.html)" in (out / "paper.md").read_text()


def test_markdown_to_latex_subset():
    md = ("## A_b & c\n\nx **1.0 ± 0.5** and *em* `co_de*` [@k1; @k2] [gal](../i.html) 50%\n\n"
          "| a | Δ b ↓ |\n| --- | ---: |\n| x_1 | **2** |\n\n- one\n  more\n- two\n\n![cap](figures/f.png)\n")
    tex = latex.markdown_to_latex(md)
    assert "\\section{A\\_b \\& c}" in tex
    assert ("x \\textbf{1.0 $\\pm$ 0.5} and \\emph{em} \\texttt{co\\_\\allowbreak{}de*} \\cite{k1,k2} "
            "\\href{../i.html}{gal} 50\\%") in tex
    assert "a & $\\Delta$ b $\\downarrow$ \\\\" in tex
    assert latex.inline("`kickgan.audio`") == "\\texttt{kickgan.\\allowbreak{}audio}"  # may break at the dot
    assert "\\begin{tabular}{lr}" in tex and "x\\_1 & \\textbf{2} \\\\" in tex
    assert "\\item one more\n\\item two" in tex
    assert "\\includegraphics[width=\\linewidth]{figures/f.pdf}" in tex and "\\caption{cap}" in tex


def test_cli_default_out_and_a_file_as_out(paper, tmp_path, capsys):
    folder, _ = paper
    assert paper_cli.main([str(folder)], prog="kickgan paper") == 0
    assert str(folder / "paper" / "paper.tex") in capsys.readouterr().out
    (tmp_path / "file").write_text("x")
    with pytest.raises(KickganError, match="--out .*file: exists and is not a folder"):
        paper_cli.main([str(folder), "--out", str(tmp_path / "file")], prog="kickgan paper")


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("bibtex") is None, reason="no TeX installed")
def test_compiles_with_pdflatex(paper):
    _, out = paper
    for cmd in (["pdflatex"], ["bibtex"], ["pdflatex"], ["pdflatex"]):
        arg = "paper" if cmd == ["bibtex"] else "paper.tex"
        subprocess.run([*cmd, "-interaction=nonstopmode", arg] if cmd != ["bibtex"] else [*cmd, arg],
                       cwd=out, check=True, capture_output=True, timeout=120)
    assert (out / "paper.pdf").stat().st_size > 10000


def test_a_model_trained_with_a_regulariser_cites_it_and_the_others_do_not():
    from kickgan.experiment.references import ENTRIES, cited

    def model(name, **loss):
        return {"name": name, "config": {"model": {"arch": "dcgan"}, "representation": {},
                                         "loss": {"kind": "hinge", **loss}}}

    record = {"models": [model("plain"), model("lecam", lecam_weight=0.1)], "runs": []}
    uses = {what: (models, keys) for what, models, keys in cited(record)}
    assert uses["LeCam regulariser"] == (["lecam"], ("tseng2021lecam",))
    assert "Wasserstein loss with gradient penalty" not in uses
    assert all(key in ENTRIES for _, keys in uses.values() for key in keys)
