"""``kickgan evaluate GEN --reference REF``: score generated (or any) kicks against real ones.

A thin wrapper over :func:`kickgan.metrics.evaluate.evaluate`; see docs/evaluation.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kickgan.cli.common import make_parser


def main(argv: list[str], prog: str) -> int:
    from kickgan.metrics import METRICS

    parser = make_parser(
        prog,
        "Score kicks against a reference set in the aisfx-512 embedding (FD, KID, density/coverage),\n"
        "by kick descriptors, band energies, how each kick starts and ends, memorisation of the\n"
        "training set, spectral artefacts and validity,\n"
        "next to two baselines: the reference against itself in halves, and TRAIN against the reference.\n\n"
        "GEN is a checkpoint, run folder or bundled model (it generates --n kicks, seeds 0..n-1), a dataset\n"
        "(DIR = its test split, DIR:split) or a folder of audio files; so are REF and TRAIN.\n\n"
        "metrics:\n" + "\n".join(f"  {name:<13} {m.paper}" for name, m in METRICS.items()),
        f"  {prog} runs/00001-dcgan --reference data/open_kicks:test --train data/open_kicks:train\n"
        f"  {prog} openkicks-dcgan-v1 --reference data/open_kicks --train data/open_kicks:train\n"
        f"  {prog} my_kicks/ --reference data/open_kicks --json scores.json\n"
        f"  {prog} runs/00001-dcgan --reference data/open_kicks --metrics fd,kid --n 200",
    )
    parser.add_argument("gen", metavar="GEN", help="checkpoint, run folder, bundled model name (kickgan models), dataset spec or audio folder")
    parser.add_argument("--reference", required=True, metavar="REF", help="real kicks: DIR, DIR:split or audio folder")
    parser.add_argument("--train", metavar="TRAIN", help="the training kicks, for memorisation and the copy baseline")
    parser.add_argument("--n", type=int, default=1000, help="kicks to generate (or at most to read) from GEN (default 1000)")
    parser.add_argument("--metrics", help=f"comma-separated subset of: {','.join(METRICS)} (default all)")
    parser.add_argument("--json", metavar="OUT", help="write the full report as JSON")
    parser.add_argument("--log", metavar="JSONL", help="append the generated set's results to this metrics log")
    parser.add_argument("--sr", type=int, help="common sample rate (default: a checkpoint's own, else the reference dataset's, else 44100); "
                        "a checkpoint's kicks are resampled to it")
    parser.add_argument("--length", type=int, help="common clip length in samples (default: a checkpoint's own, else the reference dataset's, "
                        "else 1 s); a checkpoint's kicks are cut or zero-padded to it, as kickgan experiment scores a run")
    parser.add_argument("--cache", metavar="DIR", help="cache of real-set features (default ~/.cache/kickgan/metrics)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the feature cache")
    parser.add_argument("--raw", action="store_true", help="a checkpoint's kicks as decoded, without the faded start and end its files get")
    parser.add_argument("--batch-size", type=int, default=64, help="clips per embedding batch (default 64)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None
    if metrics is not None and (not metrics or set(metrics) - set(METRICS)):
        parser.error(f"--metrics: choose from {','.join(METRICS)}, got '{args.metrics}'")
    if args.n < 2 or args.batch_size < 1:
        parser.error("--n must be at least 2 and --batch-size at least 1")

    from kickgan import bundled
    from kickgan.io import check_output_file, write_json
    from kickgan.metrics.evaluate import evaluate, format_table

    for option, path in (("--json", args.json), ("--log", args.log)):
        if path:
            check_output_file(path, option)  # before the evaluation, not after it
    if bundled.is_bundled_name(args.gen):
        args.gen = str(bundled.checkpoint(args.gen))
        print(f"using the bundled model {Path(args.gen).stem} ({args.gen})", file=sys.stderr)

    report = evaluate(
        args.gen,
        args.reference,
        args.train,
        n=args.n,
        sr=args.sr,
        length=args.length,
        metrics=metrics,
        cache_dir=None if args.no_cache else (args.cache or "default"),
        batch_size=args.batch_size,
        log=args.log,
        progress=not args.quiet,
        raw=args.raw,
    )
    print(format_table(report), end="")
    if args.json:
        write_json(args.json, report)
        print(f"wrote {args.json}")
    return 0
