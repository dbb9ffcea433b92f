"""``kickgan bench train``: seconds per training step and peak memory of each config.

Each (config, batch size) is measured in a fresh process, so its peak resident
memory (``ru_maxrss``, or ``torch.cuda.max_memory_allocated`` on a GPU) is its own:
the model is built, random data of the representation's shape stands in for the
kicks, one step warms up, then ``--steps`` steps are timed (one step takes the
solver's ``batches_per_step`` batches: for a GAN, ``n_critic`` D updates and one G
update). With ``--precisions fp32,bf16`` every (config, batch) is measured once per
precision, one after the other (``--rounds R``: R times in turn, keeping each
precision's median, so a load that comes and goes on a shared machine falls on all
of them), and the table gives each precision's time as a ratio
of the first one's. Results: JSON (``--json``) and a Markdown table (``--markdown``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from kickgan.config import load_config
from kickgan.configs import CONFIG_DIR
from kickgan.errors import KickganError
from kickgan.io import write_json
from kickgan.models.precision import PRECISIONS

CONFIGS = ("tiny", "dcgan_bce", "dcgan_hinge", "dcgan_wgangp", "dcgan_wgangp_durall", "specgan", "wavegan", "flow")

_CHILD = """
import json, sys, torch
if int(sys.argv[5]) > 0:
    torch.set_num_threads(int(sys.argv[5]))
from kickgan.train.bench import measure
print(json.dumps(measure(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[6])))
"""


def measure(config: str, batch_size: int, steps: int, device: str, precision: str = "fp32") -> dict:
    """Time ``steps`` training steps of ``config`` at ``batch_size`` in ``precision`` (after one warm-up step)."""
    import resource

    import torch

    from kickgan.train.distributed import Dist, pick_device
    from kickgan.train.solvers import make_solver

    cfg = load_config(config, [f"batch_size={batch_size}", f"precision={precision}"])
    info = Dist(0, 1, pick_device(device))
    shape = tuple(cfg.representation.shape)
    fake_data = torch.rand(max(batch_size, 8), *shape) * 2 - 1  # random data of the right shape
    trainer = make_solver(cfg, shape, info, fake_data)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if info.device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()

    def batches():
        return [torch.rand(batch_size, *shape, device=info.device) * 2 - 1 for _ in range(trainer.batches_per_step)]

    trainer.train_step(batches())
    _sync(info.device)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(steps):
        trainer.train_step(batches())
    _sync(info.device)
    seconds = (time.perf_counter() - start) / steps
    cpu_seconds = (time.process_time() - cpu_start) / steps
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = torch.cuda.max_memory_allocated() if info.device.type == "cuda" else (rss_after - rss_before) * 1024
    return {
        "config": Path(config).stem, "batch_size": batch_size, "batches_per_step": trainer.batches_per_step,
        "shape": list(shape), "device": str(info.device), "precision": precision, "threads": torch.get_num_threads(),
        "seconds_per_step": round(seconds, 4), "cpu_seconds_per_step": round(cpu_seconds, 4),
        "peak_memory_mb": round(peak / 2**20, 1),
    }


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


DESCRIPTION = ("Seconds per training step (GAN: n_critic D updates + 1 G update; flow: 1 update) and peak memory of each config,\n"
               "at batch 64 and at the config's own batch size, each in a fresh process.")
EXAMPLES = ("  kickgan bench train\n"
            "  kickgan bench train --configs dcgan_wgangp,specgan --steps 3 --threads 1 --json out/bench_train.json\n"
            "  kickgan bench train --configs wavegan --batch 16 --steps 1 --threads 1 --precisions fp32,bf16 --rounds 3")


def main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated names in --config-dir")
    parser.add_argument("--config-dir", default=str(CONFIG_DIR), help="where the YAML configs are (default: the shipped ones)")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per measurement (default 3)")
    parser.add_argument("--batch", metavar="LIST", help="comma-separated batch sizes (default: 64 and the config's own)")
    parser.add_argument("--precisions", default="fp32", metavar="LIST",
                        help=f"comma-separated, from {', '.join(PRECISIONS)}; ratios are to the first (default fp32)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the precisions in turn this many times; report medians (default 1)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch CPU threads per measurement (default 0: torch's choice, one per core)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--markdown", metavar="FILE", help="also append the table to this Markdown file, e.g. docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        raise KickganError(f"--rounds {args.rounds}: must be at least 1")
    precisions = _precisions(args.precisions)
    batches = _batches(args.batch)
    results = []
    for name in (n.strip() for n in args.configs.split(",") if n.strip()):
        results += _measure_config(Path(args.config_dir) / f"{name}.yaml", batches, precisions, args)
    if args.json:
        write_json(args.json, results)
    if args.markdown:
        _append_markdown(Path(args.markdown), results, args.steps)
    return 0


def _measure_config(path: Path, batches: list[int], precisions: list[str], args) -> list[dict]:
    """Each batch size of one config, each precision measured ``args.rounds`` times in turn."""
    default_batch = load_config(path).batch_size
    results = []
    for batch in batches or sorted({64, default_batch}):
        runs = {p: [] for p in precisions}
        for _ in range(args.rounds):
            for precision in precisions:
                runs[precision].append(_run_child(path, batch, args.steps, args.device, args.threads, precision))
        first = _median_run(runs[precisions[0]])
        for precision in precisions:
            result = {**_median_run(runs[precision]), "default_batch": batch == default_batch, "rounds": args.rounds}
            result["time_ratio"] = round(result["seconds_per_step"] / first["seconds_per_step"], 3)
            result["cpu_ratio"] = round(result["cpu_seconds_per_step"] / first["cpu_seconds_per_step"], 3)
            print(json.dumps(result), flush=True)
            results.append(result)
    return results


def _median_run(runs: list[dict]) -> dict:
    """The first run with each timing replaced by its median over ``runs`` (and the peak memory by the max)."""
    out = dict(runs[0])
    for key in ("seconds_per_step", "cpu_seconds_per_step"):
        out[key] = statistics.median(r[key] for r in runs)
    out["peak_memory_mb"] = max(r["peak_memory_mb"] for r in runs)
    return out


def _precisions(text: str) -> list[str]:
    names = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in names if p not in PRECISIONS]
    if bad or not names:
        raise KickganError(f"--precisions {text}: expected names from {', '.join(PRECISIONS)}, e.g. fp32,bf16")
    return names


def _batches(text: str | None) -> list[int]:
    if text is None:
        return []
    try:
        sizes = [int(b) for b in text.split(",") if b.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise KickganError(f"--batch {text}: expected positive integers, e.g. 16 or 16,64")
    return sizes


def _run_child(path: Path, batch: int, steps: int, device: str, threads: int, precision: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(batch), str(steps), device, str(threads), precision],
        capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise KickganError(f"{path}: benchmark at batch {batch} ({precision}) failed ({tail[0]})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _append_markdown(path: Path, results: list[dict], steps: int) -> None:
    """Append a dated table (creating the file with a title); appending is the one non-atomic write."""
    rounds = results[0]["rounds"] if results else 1
    lines = [
        "",
        f"## Training steps ({time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"`kickgan bench train --steps {steps}`, medians of {rounds} round(s); "
        "wall time is inflated when other jobs share the CPUs; "
        "the ratios are to the first precision of the same config and batch)",
        "",
        "| config | shape | batch | batches / step | device | precision | threads | s / step (wall) | CPU s / step "
        "| wall ratio | CPU ratio | peak memory (MB) |",
        "| --- | --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        batch = f"{r['batch_size']}{' (default)' if r['default_batch'] else ''}"
        lines.append(
            f"| {r['config']} | {'x'.join(map(str, r['shape']))} | {batch} | {r['batches_per_step']} | {r['device']} "
            f"| {r['precision']} | {r['threads']} | {r['seconds_per_step']:.3f} | {r['cpu_seconds_per_step']:.3f} "
            f"| {r['time_ratio']:.2f} | {r['cpu_ratio']:.2f} | {r['peak_memory_mb']:.0f} |"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", encoding="utf-8") as f:
        if new:
            f.write("# Benchmarks\n")
        f.write("\n".join(lines) + "\n")
