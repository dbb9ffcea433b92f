"""``kickgan bench NAME``: speed benchmarks, each a JSON result plus a Markdown table.

Each benchmark lives beside the code it measures and exposes ``DESCRIPTION``, ``EXAMPLES`` and
``main(argv, parser)`` (it adds its options to the parser this module makes);
``kickgan bench all`` runs every one in one go, so their numbers share one machine state.
"""

from __future__ import annotations

import importlib

from kickgan.cli.common import make_parser

BENCHES = {
    "spectral": ("kickgan.spectral.bench", "round-trip quality and speed of each representation x inversion"),
    "train": ("kickgan.train.bench", "seconds per iteration and peak memory of each training config"),
    "generate": ("kickgan.producer.bench", "latency of one kick and throughput of 1000, at 44.1 kHz"),
    "evaluate": ("kickgan.metrics.bench", "seconds to score 1000 generated kicks"),
    "serve": ("kickgan.serve.bench", "web app latency (one kick, 16 pads, steering) and 200 concurrent requests"),
    "bundled": ("kickgan.bundled.bench", "a fresh evaluation of the bundled model against its card's scores"),
}


def run_all(data: str | None, out: str) -> int:
    """Run every benchmark once with its defaults, each writing ``OUT/bench_NAME.json``."""
    extra = {
        "spectral": ["--data", data] if data else ["--synth", "64"],
        "train": [],
        "generate": [],
        "evaluate": ["--data", data] if data else [],
        "bundled": ["--data", data] if data else [],
    }
    for name, (module_name, desc) in BENCHES.items():
        if name not in extra:
            print(f"== kickgan bench {name}: skipped by 'all' (it needs a checkpoint: kickgan bench {name} CKPT)", flush=True)
            continue
        print(f"== kickgan bench {name}: {desc}", flush=True)
        argv = extra[name] + ["--json", f"{out}/bench_{name}.json"]
        code = run_one(module_name, argv, f"kickgan bench {name}")
        if code:
            return code
    return 0


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Measure speed and quality on this machine; each benchmark writes JSON and a Markdown table.\n\n"
        + "\n".join(f"  {name:<9} {desc}" for name, (_, desc) in BENCHES.items()),
        "  kickgan bench spectral --data data/open_kicks\n  kickgan bench all --data data/open_kicks\n  kickgan bench train --help",
    )
    parser.add_argument("name", choices=sorted(BENCHES) + ["all"], help="which benchmark, or all of them")
    args, rest = parser.parse_known_args(argv[:1])
    if args.name == "all":
        every = make_parser(f"{prog} all", "Run every benchmark with its defaults.", f"  {prog} all --data data/open_kicks")
        every.add_argument("--data", help="a dataset folder (default: synthesised kicks)")
        every.add_argument("--out", default="runs/bench", help="folder for the JSON results (default runs/bench)")
        opts = every.parse_args(argv[1:])
        return run_all(opts.data, opts.out)
    return run_one(BENCHES[args.name][0], argv[1:], f"{prog} {args.name}")


def run_one(module_name: str, argv: list[str], prog: str) -> int:
    """Run the benchmark of ``module_name`` with ``argv``; its exit code."""
    module = importlib.import_module(module_name)
    return int(module.main(argv, make_parser(prog, module.DESCRIPTION, module.EXAMPLES)) or 0)
