"""``kickgan bench spectral``: round-trip quality and speed of each representation x inversion.

For every preset shape and every (kind, inversion): fit the statistics on the
training clips, encode and decode every clip, and score the round trip with
:mod:`kickgan.spectral.quality` (spectral convergence, log-spectral distance, SNR
where the inversion is exact, 20 ms envelope error); then time encode + decode of
one batch (tiled from the clips), the variants of a shape taking turns, and report
kicks per second from the fastest round. Writes JSON and prints a Markdown table.

Examples::

    kickgan bench spectral --data data/open_kicks --json runs/bench_spectral.json
    kickgan bench spectral --synth 64 --presets kick --batch 16
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from kickgan import __version__
from kickgan.errors import KickganError, UsageError
from kickgan.io import write_json
from kickgan.spectral import quality as Q
from kickgan.spectral.config import GL_ITERS, PRESETS, SpecConfig
from kickgan.spectral.module import Representation, make_representation

# (kind, inversion, gl_iters) measured for every preset
VARIANTS = (
    ("logmag", "griffinlim", GL_ITERS),
    ("logmag", "pghi", 0),
    ("logmag", "pghi+gl", 1),
    ("logmag", "pghi+gl", 4),
    ("logmag", "griffinlim", 100),
    ("complex", "exact", 0),
    ("mag_if", "exact", 0),
)


DESCRIPTION = "Round-trip quality and speed of each representation x inversion, on a dataset or synthesised kicks."
EXAMPLES = __doc__.split("Examples::\n\n")[1]


def main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.add_argument("--data", default="data/open_kicks", help="dataset folder (fit on train, score all splits)")
    parser.add_argument("--synth", type=int, default=0, metavar="N", help="use N synthesised kicks instead of --data")
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated preset names")
    parser.add_argument("--batch", type=int, default=64, help="batch size of the timing (default 64)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats; the fastest is reported")
    parser.add_argument("--threads", type=int, default=2, help="torch and PGHI threads (default 2)")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)
    for key in ("batch", "repeats", "threads"):
        if getattr(args, key) < 1:
            raise UsageError(f"--{key}: must be at least 1 (got {getattr(args, key)})")
    presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    for name in presets:
        SpecConfig.preset(name)  # a ParameterError names an unknown preset
    torch.set_num_threads(args.threads)
    train, clips, source = _load(args.data, args.synth)
    rows = []
    for preset in presets:
        reps = [
            make_representation(SpecConfig.preset(preset, kind=k, inversion=inv, gl_iters=it or None)).fit(train)
            for k, inv, it in VARIANTS
        ]
        for rep, speed in zip(reps, _speeds(reps, clips, args.batch, args.repeats)):
            rows.append({"preset": preset, **_quality(rep, clips, args.batch), "kicks_per_s": speed})
            print(_table_row(rows[-1]), file=sys.stderr, flush=True)  # progress
    result = {
        "bench": "spectral",
        "data": source,
        "n_clips": len(clips),
        "batch": args.batch,
        "threads": args.threads,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "versions": {"kickgan": __version__, "torch": torch.__version__},
        "rows": rows,
    }
    if args.json:
        write_json(args.json, result)
    print(markdown_table(result))
    return 0


def _load(data: str, synth: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Training clips (for the statistics) and the clips to score, both ``[N, 16384]`` at 16 kHz."""
    base = SpecConfig()
    if synth > 0:
        from kickgan.data.synth import synthesize

        clips, _ = synthesize(synth, seed=0, sr=base.sr, length=base.length)
        return clips, clips, f"synth:{synth} (seed 0)"
    from kickgan.data.dataset import SPLITS, is_dataset, load_split

    if not is_dataset(data):
        raise KickganError(f"--data {data}: not a kickgan dataset (build one with `kickgan data`, or pass --synth N)")
    splits = {s: load_split(data, s) for s in SPLITS if (Path(data) / f"{s}.npy").exists()}
    if "train" not in splits or any((d.sr, d.length) != (base.sr, base.length) for d in splits.values()):
        raise KickganError(f"--data {data}: needs a train split at {base.sr} Hz, {base.length} samples")
    clips = np.concatenate([d.clips for d in splits.values()])
    return splits["train"].clips, clips, f"{data} (fit: train, scored: {'+'.join(splits)})"


def _quality(rep: Representation, clips: np.ndarray, batch: int) -> dict:
    """Mean round-trip scores of ``rep`` over ``clips``; no SNR where the phase is estimated."""
    scores: dict[str, list[float]] = {"sc": [], "lsd_db": [], "snr_db": [], "env_err": []}
    with torch.no_grad():
        for i in range(0, len(clips), batch):
            wave = torch.from_numpy(clips[i : i + batch])[:, None]
            out = rep.decode(rep.encode(wave))
            scores["sc"] += Q.spectral_convergence(wave, out).tolist()
            scores["lsd_db"] += Q.log_spectral_distance(wave, out).tolist()
            scores["snr_db"] += Q.snr_db(wave, out).tolist()
            scores["env_err"] += Q.envelope_error(wave, out, rep.cfg.sr).tolist()
    cfg = rep.cfg
    row = {"kind": cfg.kind, "inversion": cfg.inversion, "gl_iters": cfg.gl_iters, "shape": list(cfg.shape)}
    row.update({k: float(np.mean(v)) for k, v in scores.items()})
    if cfg.inversion != "exact":
        row["snr_db"] = None  # the phase is estimated: a waveform SNR says nothing
    return row


def _speeds(reps: list[Representation], clips: np.ndarray, batch: int, repeats: int) -> list[float]:
    """Kicks per second of encode + decode of one batch, for each representation.

    The representations take turns, ``repeats`` rounds, and each keeps its fastest
    time: other processes on the machine slow all of them alike instead of whichever
    happened to run at a busy moment.
    """
    wave = torch.from_numpy(np.resize(clips, (batch, clips.shape[1])))[:, None]
    best = [float("inf")] * len(reps)
    with torch.no_grad():
        for rep in reps:
            rep.decode(rep.encode(wave[:2]))  # warm-up: numba cache, FFT plans
        for _ in range(repeats):
            for i, rep in enumerate(reps):
                start = time.perf_counter()
                rep.decode(rep.encode(wave))
                best[i] = min(best[i], time.perf_counter() - start)
    return [batch / t for t in best]


def markdown_table(result: dict) -> str:
    """The rows of a result as a Markdown table (means over the clips)."""
    lines = [
        f"data: {result['data']}, {result['n_clips']} clips; speed: batch {result['batch']}, "
        f"{result['threads']} threads, {result['machine']}",
        "",
        "| preset | shape | kind | inversion | SC | LSD (dB) | SNR (dB) | env. err 20 ms | kicks/s |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    return "\n".join(lines + [_table_row(r) for r in result["rows"]])


def _table_row(r: dict) -> str:
    inversion = r["inversion"] + (f"-{r['gl_iters']}" if r["gl_iters"] else "")
    snr = "-" if r["snr_db"] is None else f"{r['snr_db']:.1f}"
    return (
        f"| {r['preset']} | {'x'.join(map(str, r['shape']))} | {r['kind']} | {inversion} | {r['sc']:.4f} "
        f"| {r['lsd_db']:.2f} | {snr} | {r['env_err']:.3f} | {r['kicks_per_s']:.0f} |"
    )
