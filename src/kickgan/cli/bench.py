"""``kickgan bench NAME``: speed benchmarks, each a JSON result plus a Markdown table.

Each benchmark lives beside the code it measures and exposes ``main(argv, prog)``.
"""

from __future__ import annotations

import importlib

from kickgan.cli.common import make_parser

BENCHES = {
    "spectral": ("kickgan.spectral.bench", "round-trip quality and speed of each representation x inversion"),
    "train": ("kickgan.train.bench", "seconds per iteration and peak memory of each training config"),
    "generate": ("kickgan.producer.bench", "latency of one kick and throughput of 1000, at 44.1 kHz"),
    "evaluate": ("kickgan.metrics.bench", "seconds to score 1000 generated kicks"),
}


def main(argv: list[str], prog: str) -> int:
    parser = make_parser(
        prog,
        "Measure speed and quality on this machine; each benchmark writes JSON and a Markdown table.\n\n"
        + "\n".join(f"  {name:<9} {desc}" for name, (_, desc) in BENCHES.items()),
        "  kickgan bench spectral --data data/open_kicks\n  kickgan bench train --help",
    )
    parser.add_argument("name", choices=sorted(BENCHES), help="which benchmark")
    args, rest = parser.parse_known_args(argv[:1])
    module = importlib.import_module(BENCHES[args.name][0])
    return int(module.main(argv[1:], prog=f"{prog} {args.name}") or 0)
