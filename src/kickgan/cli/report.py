"""``kickgan report DIR``: rebuild an experiment's tables, figures and pages from its experiment.json."""

from __future__ import annotations

from kickgan.cli.common import make_parser


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Rewrite results.md, results.tex, figures/, methods.md and index.html of an experiment\n"
        "from its experiment.json, without training or evaluating anything.",
        "  kickgan report reports/kick_it_out\n  kickgan report docs/results/kick_it_out",
    )
    parser.add_argument("folder", help="an experiment's report folder (holds experiment.json)")
    args = parser.parse_args(argv)
    from kickgan.experiment.report import write_report

    for path in write_report(args.folder):
        print(path)
    return 0
