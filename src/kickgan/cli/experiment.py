"""``kickgan experiment FILE``: train and score a grid of configs over seeds, then write the report."""

from __future__ import annotations

from pathlib import Path

from kickgan.cli.common import make_parser


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Train every config of an experiment YAML with the same budget over several seeds, score each\n"
        "run's best checkpoint against the test split, and write reports/NAME/ (results.md, results.tex,\n"
        "figures/, index.html, methods.md, experiment.json). Run it again to resume: finished runs are\n"
        "skipped, interrupted ones continue, configs added to the YAML are trained alone.",
        "  kickgan experiment configs/experiments/kick_it_out.yaml\n"
        "  kickgan experiment configs/experiments/kick_it_out.yaml --budget-minutes 5 --seeds 3\n"
        "  kickgan experiment configs/experiments/kick_it_out.yaml --jobs 2   # two runs at once\n"
        "  kickgan experiment configs/experiments/tiny.yaml --data datasets/synth --steps 4 --dry-run",
    )
    parser.add_argument("experiment", help="an experiment YAML (configs/experiments/*.yaml)")
    parser.add_argument("--data", help="a kickgan dataset folder (default: the YAML's data)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--budget-minutes", type=float, metavar="M", help="training minutes per run")
    budget.add_argument("--steps", type=int, metavar="S", help="generator steps per run (instead of minutes)")
    parser.add_argument("--seeds", type=int, metavar="N", help="train seeds 0..N-1 (default: the YAML's seeds)")
    parser.add_argument("--out", help="the report folder (default: reports/NAME)")
    parser.add_argument("--dry-run", action="store_true", help="print the runs and their state, then exit")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="train and score N runs at once, one process and one torch thread each (default 1)")
    args = parser.parse_args(argv)

    from kickgan.experiment.runner import describe_plan, run_experiment
    from kickgan.experiment.spec import load_spec, with_overrides

    spec = with_overrides(load_spec(args.experiment), data=args.data, minutes=args.budget_minutes,
                          steps=args.steps, seeds=args.seeds)
    out = Path(args.out) if args.out else Path("reports") / spec.name
    if args.dry_run:
        print(describe_plan(spec, out))
        return 0
    if args.jobs < 1:
        parser.error(f"--jobs: must be at least 1 (got {args.jobs})")
    run_experiment(spec, out, progress=not args.quiet, jobs=args.jobs)
    return 0
