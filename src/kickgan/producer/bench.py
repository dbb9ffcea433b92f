"""``kickgan bench generate``: how fast kicks come out, as a producer gets them.

Latency: one ``kickgan generate``-equivalent call for one seed (latent, generator, phase
reconstruction, finishing at 44.1 kHz, 16-bit WAV + sidecar), median of ``--repeats`` seeds
after a warm-up, with the median time of each part. Throughput: the same for ``--n`` seeds in
one call (each kick decoded alone, which keeps files identical by seed), and, for comparison,
decoding in batches of 64 and finishing without writing. Steering: the median time to move one
latent by ``--pitch +1`` (four sub-steps), and the one-off fit of the controls (when the
checkpoint has none stored beside it yet; stored there, as ``generate --pitch`` would). Without a checkpoint the model of
``--config`` is built untrained (representation statistics from 32 synthesised kicks): its speed
is that of the trained model. Prints a Markdown table; writes JSON (``--json``) and appends the
table to ``--markdown`` only when asked.

Examples::

  kickgan bench generate
  kickgan bench generate runs/00001-dcgan_wgangp --n 1000 --json bench_generate.json
  kickgan bench generate --config tiny --n 100 --markdown docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

from kickgan import __version__
from kickgan.checkpoints import save_generator
from kickgan.config import load_config
from kickgan.data.synth import synthesize
from kickgan.errors import UsageError
from kickgan.io import write_json
from kickgan.models.family import family_of
from kickgan.producer import controls
from kickgan.producer.export import ExportOptions, finish, kick_name, write_kick
from kickgan.producer.generate import generate
from kickgan.sampler import KickSampler
from kickgan.spectral import make_representation

TARGET_MS = 50.0
DESCRIPTION, EXAMPLES = __doc__.split("\n\n")[0], __doc__.split("Examples::\n\n")[1]


def main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.add_argument("checkpoint", nargs="?", metavar="CKPT", help="checkpoint or run folder (default: --config's model)")
    parser.add_argument("--config", default="dcgan_wgangp", help="the model to build without CKPT (a file or a shipped config's name)")
    parser.add_argument("--n", type=int, default=1000, help="kicks for the throughput (default 1000)")
    parser.add_argument("--repeats", type=int, default=20, help="seeds timed for the latency (default 20)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1, as kickgan generate)")
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32", help="the generator's precision")
    parser.add_argument("--json", help="write the result here")
    parser.add_argument("--markdown", metavar="FILE", help="also append the table to this Markdown file, e.g. docs/benchmarks.md")
    args = parser.parse_args(argv)
    for name in ("n", "repeats", "threads"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name}: must be at least 1, got {getattr(args, name)}")
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="kickgan-bench-") as tmp:
        sampler, model = _sampler(args, Path(tmp))
        result = {
            "bench": "generate", "model": model, "shape": list(sampler.rep.shape), "sr": sampler.sr,
            "inversion": sampler.cfg.representation.inversion, "threads": args.threads, "precision": args.precision,
            **environment(),
            "latency_ms": latency(sampler, Path(tmp) / "latency", args.repeats),
            "throughput": throughput(sampler, Path(tmp) / "throughput", args.n),
            "steering": steering(sampler, args.repeats),
        }
    emit(result, markdown(result), args.json, args.markdown)
    return 0


def environment() -> dict:
    """Where a benchmark ran: machine, date, load average and versions."""
    return {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(), "date": _today(),
            "load_average": os.getloadavg()[0], "versions": {"kickgan": __version__, "torch": torch.__version__}}


def emit(result: dict, table: str, json_path: str | None, markdown_path: str | None) -> None:
    """Print ``table``; write ``result`` as JSON and append ``table`` to a Markdown file only where asked."""
    if json_path:
        write_json(json_path, result)
    print(table)
    if markdown_path:
        _append(Path(markdown_path), table)


def latency(sampler, out: Path, repeats: int) -> dict:
    """Median milliseconds of one kick, end to end and per part (decode, finish, write)."""
    opts = ExportOptions(sr=44100, bit_depth="16")
    generate(sampler, [10**6], out, opts)  # warm-up
    parts: dict[str, list[float]] = {"total": [], "decode": [], "finish": [], "write": []}
    for seed in range(repeats):
        t0 = time.perf_counter()
        wave = sampler.decode(sampler.latents([seed]))
        t1 = time.perf_counter()
        y = finish(wave[0, 0].numpy(), sampler.sr, opts)
        t2 = time.perf_counter()
        write_kick(out / f"{kick_name(seed)}.wav", y, opts, {"seed": seed})
        t3 = time.perf_counter()
        t_all = time.perf_counter()
        generate(sampler, [seed], out / "full", opts)
        parts["total"].append(time.perf_counter() - t_all)
        for name, dt in (("decode", t1 - t0), ("finish", t2 - t1), ("write", t3 - t2)):
            parts[name].append(dt)
    out = {name: 1000 * statistics.median(v) for name, v in parts.items()}
    return out | {"total_min": 1000 * min(parts["total"]), "repeats": repeats}


def throughput(sampler, out: Path, n: int) -> dict:
    """Kicks per second for ``n`` seeds: written one by one, and decoded in batches (not written)."""
    opts = ExportOptions(sr=44100, bit_depth="16")
    t0 = time.perf_counter()
    generate(sampler, list(range(n)), out, opts)
    written = time.perf_counter() - t0
    t0 = time.perf_counter()
    waves = sampler.decode(sampler.latents(list(range(n))))  # chunks of 64
    for w in waves:
        finish(w[0].numpy(), sampler.sr, opts)
    batched = time.perf_counter() - t0
    return {"n": n, "written_per_s": n / written, "batched_per_s": n / batched}


def steering(sampler, repeats: int) -> dict:
    """Milliseconds to steer one latent by ``pitch +1`` (median of ``repeats`` seeds), and seconds
    to fit the controls (None when they were already stored beside the checkpoint)."""
    fitted = controls.is_fitted(sampler)
    t0 = time.perf_counter()
    record = controls.load_or_fit(sampler)
    fit_s = None if fitted else time.perf_counter() - t0
    times = []
    for seed in range(repeats):
        z = sampler.latents([seed])
        t0 = time.perf_counter()
        controls.steer(sampler, z, {"pitch": 1.0}, record)
        times.append(time.perf_counter() - t0)
    return {"pitch_plus_1_ms": 1000 * statistics.median(times), "fit_s": fit_s, "n_fit": record["n"]}


def markdown(result: dict) -> str:
    lat, thr, steer = result["latency_ms"], result["throughput"], result["steering"]
    verdict = "meets" if lat["total"] < TARGET_MS else "misses"
    return "\n".join([
        f"## kickgan bench generate ({result['date']})",
        "",
        f"model: {result['model']}, shape {'x'.join(map(str, result['shape']))} at {result['sr']} Hz, "
        f"inversion {result['inversion']}; G in {result['precision']}; {result['threads']} torch threads, "
        f"{result['machine']}, "
        f"load average {result['load_average']:.1f} at the start; kicks exported at 44.1 kHz, 16-bit WAV + JSON sidecar.",
        "",
        "| one kick: median (ms) | fastest (ms) | decode (ms) | finish (ms) | write (ms) "
        "| kicks/s written, one by one | kicks/s batched, not written |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {lat['total']:.1f} | {lat['total_min']:.1f} | {lat['decode']:.1f} | {lat['finish']:.1f} | {lat['write']:.1f} "
        f"| {thr['written_per_s']:.0f} (n = {thr['n']}) | {thr['batched_per_s']:.0f} |",
        "",
        f"Medians of {lat['repeats']} seeds (parts timed separately); the median {verdict} the target of "
        f"{TARGET_MS:.0f} ms per kick. On a shared machine the fastest run is the least disturbed.",
        f"Steering one kick by `--pitch +1` adds {steer['pitch_plus_1_ms']:.0f} ms (median; four sub-steps)"
        + (f"; fitting the controls on {steer['n_fit']} kicks took {steer['fit_s']:.1f} s (once per checkpoint)."
           if steer["fit_s"] is not None else "; the controls were already fitted."),
        "",
    ])


def _sampler(args, tmp: Path) -> tuple[KickSampler, str]:
    if args.checkpoint:
        return KickSampler.from_checkpoint(args.checkpoint, precision=args.precision), str(args.checkpoint)
    cfg = load_config(args.config)
    rep = make_representation(cfg.representation)
    rep.fit(synthesize(32, seed=0, sr=rep.cfg.sr, length=rep.cfg.length)[0])
    torch.manual_seed(cfg.seed)
    family = family_of(cfg.model)
    G = family.build_generator(cfg.model, tuple(rep.shape))
    state = {"step": 0, family.sampling_key: {"model": G.state_dict()}, "representation": rep.state_dict(), "config": cfg.to_dict()}
    path = save_generator(tmp / "untrained.pt", state)
    return KickSampler.from_checkpoint(path, precision=args.precision), f"{cfg.name} (untrained: built from {args.config})"


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("# Benchmarks\n\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as f:
        f.write("\n" + text)


def _today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
