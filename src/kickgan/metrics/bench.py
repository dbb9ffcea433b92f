"""``kickgan bench evaluate``: seconds to score 1000 generated kicks with every metric.

Stands synthesised kicks (:func:`kickgan.data.synth.synthesize`, at the dataset's rate
and length) in for a generator's output, so the time excludes generation (see
``kickgan bench generate``), and scores them against the dataset's test split with
its train split for memorisation, baselines included: once with an empty feature
cache (cold: the real sets are embedded too) and once with it filled (warm: the
usual case when comparing models). Reports wall-clock and process CPU seconds (the
latter is less sensitive to other jobs on a shared machine). Writes JSON and prints a
Markdown table.

Examples::

    kickgan bench evaluate --data data/open_kicks --n 1000 --json runs/bench_evaluate.json
    kickgan bench evaluate --data data/open_kicks --n 200
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import torch

from kickgan import __version__
from kickgan.io import write_json
from kickgan.metrics.embedding import NAME
from kickgan.metrics.evaluate import evaluate_clips


DESCRIPTION, EXAMPLES = __doc__.split("\n\n")[0], __doc__.split("Examples::\n\n")[1]


def main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.add_argument("--data", default="data/open_kicks", help="dataset: reference = test, train = train")
    parser.add_argument("--n", type=int, default=1000, help="generated kicks to score (default 1000)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("--n must be at least 2")
    torch.set_num_threads(args.threads)
    from kickgan.data.dataset import load_split
    from kickgan.data.synth import synthesize

    ref, train = load_split(args.data, "test"), load_split(args.data, "train")
    clips, _ = synthesize(args.n, seed=0, sr=ref.sr, length=ref.length)
    gen = (clips, [f"synth_{i:06d}" for i in range(args.n)])
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for run in ("cold", "warm"):
            start, cpu = time.perf_counter(), time.process_time()
            out = evaluate_clips(gen, (ref.clips, ref.names), ref.sr, (train.clips, train.names),
                                 cache_dir=cache, progress=False)
            rows.append({"run": run, "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
                         **{k: round(v, 2) for k, v in out["seconds"].items()}})
    result = {
        "bench": "evaluate",
        "embedding": NAME,
        "data": args.data,
        "n_generated": args.n,
        "n_reference": len(ref.clips),
        "n_train": len(train.clips),
        "sr": ref.sr,
        "length": ref.length,
        "threads": args.threads,
        "load_average_1min": os.getloadavg()[0],
        "machine": f"{platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores".strip(),
        "versions": {"kickgan": __version__, "torch": torch.__version__},
        "rows": rows,
    }
    if args.json:
        write_json(args.json, result)
    print(markdown_table(result))
    return 0


def markdown_table(result: dict) -> str:
    """The benchmark as a Markdown table, one row per run (cold / warm cache)."""
    head = (f"Scoring {result['n_generated']} kicks against {result['data']} (test {result['n_reference']}, "
            f"train {result['n_train']}), all metrics + baselines, {result['embedding']}, "
            f"{result['threads']} threads, {result['machine']}, load {result['load_average_1min']:.1f}\n\n")
    lines = ["| cache | total s | CPU s (all threads) | generated features s | real features s | metrics s |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in result["rows"]:
        lines.append(f"| {r['run']} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['features_generated']:.1f} | "
                     f"{r['features_real']:.1f} | {r['metrics']:.1f} |")
    return head + "\n".join(lines) + "\n"
