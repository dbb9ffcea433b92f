"""``kickgan analyse DIR``: the paper's analysis (spatial patterns, nonspatial distributions) of an experiment."""

from __future__ import annotations

from kickgan.cli.common import make_parser
from kickgan.errors import UsageError


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Compare an experiment's generated kicks with real ones: pitch glide, decay envelope and onset\n"
        "sharpness; per-bin log-magnitude statistics and Durall's 1-D power spectrum of the spectrograms.\n"
        "Writes analysis.json, analysis.md and figures/{spatial_patterns,nonspatial_distributions}.{png,pdf}.\n"
        "Kicks come from the runs' checkpoints when the folder still holds them, else from its gallery WAVs;\n"
        "the real kicks from the dataset's reference split when it is reachable, else from audio/real.",
        "  kickgan analyse docs/results/kick_it_out\n  kickgan analyse reports/kick_it_out --n 256\n"
        "  kickgan analyse docs/results/kick_it_out --reference data/open_kicks:test",
    )
    parser.add_argument("folder", help="an experiment's report folder (holds experiment.json)")
    parser.add_argument("--n", type=int, default=64,
                        help="kicks generated per run when its checkpoint is there (default 64)")
    parser.add_argument("--reference", metavar="DATA[:SPLIT]",
                        help="the real kicks: a dataset split or a folder of audio (default: the experiment's "
                             "reference split when its dataset is found from here, else FOLDER/audio/real)")
    args = parser.parse_args(argv)
    if args.n < 2:
        raise UsageError(f"--n: need at least 2 kicks per run, got {args.n}")
    from kickgan.experiment.analysis_report import write_analysis

    for path in write_analysis(args.folder, args.n, args.reference):
        print(path)
    return 0
