"""``kickgan paper DIR``: the Methodology and Results of an experiment as LaTeX and Markdown."""

from __future__ import annotations

from kickgan.cli.common import make_parser


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Write paper.tex, paper.md, references.bib and figures/ from an experiment's report folder:\n"
        "Methodology (methods cited, dataset and licences, layer tables, training options, metrics) and\n"
        "Results (the results.md table, the figures, analysis.md when `kickgan analyse` ran, the gallery\n"
        "link), every number read from its files. Introduction and Discussion are left to the author.\n"
        "Compile with: cd OUT && latexmk -pdf paper.tex (or pdflatex, bibtex, pdflatex twice).",
        "  kickgan paper docs/results/kick_it_out\n  kickgan paper reports/kick_it_out --out paper/",
    )
    parser.add_argument("folder", help="an experiment's report folder (holds experiment.json)")
    parser.add_argument("--out", help="where to write the paper (default FOLDER/paper)")
    args = parser.parse_args(argv)
    from kickgan.experiment.paper import write_paper

    for path in write_paper(args.folder, args.out):
        print(path)
    return 0
