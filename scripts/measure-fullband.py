"""The round-trip ceiling of each candidate 44.1 kHz representation (issue 11), on real kicks.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python scripts/measure-fullband.py \
        --data data/open_kicks_44k --out out/fullband [--bench out/fullband/bench_train.json]

For every candidate of ``CANDIDATES``: fit its statistics on the train split, encode and decode
the test and the train kicks, write them as 32-bit WAVs to ``OUT/NAME/{test,train}/`` and score
them as ``kickgan evaluate OUT/NAME/test --reference DATA:test`` does (FD/KID in the aisfx-512
embedding, against the same split), with the errors of each kick against itself (median over the
kicks): band energies (0-4/4-8/8-16 kHz, dB of the whole kick), the envelope attack (10-90 %) and
decay to -40 dB (kickgan.metrics.descriptors), and the first sample's level (kickgan.metrics.edges).
``today-16k`` is today's default representation: the kick resampled to 16 kHz, cut to 8192
samples, round-tripped and resampled back to 44.1 kHz, as ``kickgan generate`` does.
``d-two-bands`` adds to that a high band: noise (random phase, then 4 Griffin-Lim iterations) under the
kick's own band envelopes above 4 kHz (the ``warped`` 128x128 bands): the ceiling of a noise head.

Each candidate is also written as a training config (today's ``dcgan_wgangp`` with its
representation) to ``OUT/configs/kick44k_NAME.yaml``, for
``kickgan bench train --config-dir OUT/configs --threads 1 --json OUT/bench_train.json``; with
``--bench`` those JSONs' CPU seconds per step (batch 32) join the table as ratios to dcgan_wgangp's
measured in the same bench run.
Prints one JSON line per candidate and split, then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from kickgan.audio.preprocess import resample
from kickgan.configs import CONFIG_DIR
from kickgan.data.dataset import load_split
from kickgan.io import read_json, read_yaml_mapping, write_text, write_wav
from kickgan.audio.descriptors import BAND_NAMES, NAMES, band_levels_db, describe
from kickgan.metrics.edges import POP_DB, first_sample_db
from kickgan.metrics.evaluate import evaluate_clips
from kickgan.spectral import SpecConfig, griffin_lim, istft, make_representation, stft, warp

SR, LENGTH = 44100, 32768
CANDIDATES = {
    "a-logmag-2048": {"kind": "logmag", "n_fft": 2048, "hop_length": 512, "n_freq": 1024},
    "b-logmag-1024": {"kind": "logmag", "n_fft": 1024, "hop_length": 256, "n_freq": 512},
    "c-warped-256x64": {"kind": "warped", "n_fft": 2048, "hop_length": 512, "n_freq": 256, "warp_hz": 2756.25},
    "c-warped-128x64": {"kind": "warped", "n_fft": 2048, "hop_length": 512, "n_freq": 128, "warp_hz": 2000.0},
    "c-warped-128x128": {"kind": "warped", "n_fft": 2048, "hop_length": 256, "n_freq": 128, "warp_hz": 2000.0},
    "c-warped-128x256": {"kind": "warped", "n_fft": 2048, "hop_length": 128, "n_freq": 128, "warp_hz": 2000.0},
}
TODAY = {"kind": "logmag", "sr": 16000, "length": 8192, "n_fft": 512, "hop_length": 128, "n_freq": 128}
# two bands: today's body (0-4 kHz, 16 kHz) plus white noise shaped by the bands of HIGH above 4 kHz
HIGH = SpecConfig(kind="warped", sr=SR, length=LENGTH, n_fft=2048, hop_length=256, n_freq=128, warp_hz=2000.0)
CROSSOVER_HZ = 4000.0
METRICS = ["fd", "kid"]


def round_trip(clips: np.ndarray, train: np.ndarray, spec: dict, batch: int = 8) -> np.ndarray:
    """``clips [N, LENGTH]`` at 44.1 kHz through the representation ``spec`` and back."""
    cfg = SpecConfig(**{"sr": SR, "length": LENGTH, **spec})
    down = cfg.sr != SR

    def prep(x: np.ndarray) -> np.ndarray:
        return np.stack([resample(c, SR, cfg.sr)[: cfg.length] for c in x]) if down else x

    rep = make_representation(cfg).fit(prep(train))
    out = []
    with torch.no_grad():
        for i in range(0, len(clips), batch):
            wave = torch.from_numpy(np.ascontiguousarray(prep(clips[i : i + batch])))[:, None]
            out.append(rep.decode(rep.encode(wave))[:, 0].numpy())
    y = np.concatenate(out)
    if down:  # back to 44.1 kHz, silent after the model's clip (as kickgan generate pads it)
        y = np.stack([np.pad(u := resample(c, cfg.sr, SR)[:LENGTH], (0, LENGTH - len(u))) for c in y])
    return y.astype(np.float32)


def two_bands(clips: np.ndarray, train: np.ndarray, seed: int = 0) -> np.ndarray:
    """Today's body round trip plus a high band made of noise: each kick's band envelopes of ``HIGH``
    above ``CROSSOVER_HZ``, expanded to bins, phase from random by ``HIGH.gl_iters`` Griffin-Lim iterations."""
    body = round_trip(clips, train, TODAY)
    cut = int(np.ceil(CROSSOVER_HZ * HIGH.n_fft / SR))
    edges = warp.band_edges(SR, HIGH.n_fft, HIGH.n_freq, HIGH.warp_hz)
    wave = torch.from_numpy(clips)[:, None]
    mag = stft(wave, HIGH.n_fft, HIGH.hop_length).abs()
    mag[..., :cut, :] = 0
    env = warp.expand(warp.pool(mag, edges), edges)
    env[..., :cut, :] = 0
    phase = torch.rand(env.shape, generator=torch.Generator().manual_seed(seed)) * 2 * np.pi
    # random phases overlap-add incoherently (8x overlap: about -9 dB); a few Griffin-Lim
    # iterations from them make the noise's STFT magnitude match the envelopes
    phase = griffin_lim(env, HIGH.n_fft, HIGH.hop_length, HIGH.gl_iters, HIGH.gl_momentum, init=phase)
    high = istft(torch.polar(env, phase), HIGH.n_fft, HIGH.hop_length, LENGTH)[:, 0].numpy()
    return (body + high).astype(np.float32)


def scores(real: np.ndarray, rt: np.ndarray) -> dict:
    """FD/KID of the round trips against the real kicks, and each kick's errors against itself."""
    names = [f"{i:03d}" for i in range(len(real))]
    res = evaluate_clips((rt, names), (real, names), SR, metrics=METRICS, cache_dir=None, progress=False)
    out = {"fd": res["results"]["generated"]["fd/aisfx-512"], "kid": res["results"]["generated"]["kid/aisfx-512"]}
    band_err = np.abs(band_levels_db(rt, SR) - band_levels_db(real, SR))
    for k, name in enumerate(BAND_NAMES):
        out[f"band_err_db/{name}"] = float(np.nanmedian(band_err[:, k]))
    d_rt, d_real = describe(rt, SR), describe(real, SR)
    for name in ("attack_ms", "decay40_ms"):
        k = NAMES.index(name)
        out[f"{name}_err"] = float(np.nanmedian(np.abs(d_rt[:, k] - d_real[:, k])))
    first = first_sample_db(rt)
    out["first_db_median"] = float(np.nanmedian(first))
    out["pop_share"] = float(np.mean(first > POP_DB))
    return out


def write_config(out: Path, name: str, spec: dict) -> None:
    """Today's dcgan_wgangp with the candidate's representation, as ``OUT/configs/kick44k_NAME.yaml``."""
    cfg = read_yaml_mapping(CONFIG_DIR / "dcgan_wgangp.yaml", "config")
    cfg.update(name=f"kick44k_{name}", data="data/open_kicks_44k", representation={"sr": SR, "length": LENGTH, **spec})
    write_text(out / "configs" / f"kick44k_{name}.yaml", json.dumps(cfg, indent=1) + "\n")


def step_ratios(bench_jsons: str | None) -> dict[str, float]:
    """CPU seconds per step at batch 32 of each ``kick44k_NAME`` over dcgan_wgangp's (the mean of its
    runs in the same bench), from comma-separated ``kickgan bench train`` JSONs."""
    ratios: dict[str, float] = {}
    for path in (bench_jsons or "").split(","):
        if path:
            rows = [r for r in read_json(path) if r["batch_size"] == 32]
            base = np.mean([r["cpu_seconds_per_step"] for r in rows if r["config"] == "dcgan_wgangp"])
            ratios.update({r["config"].removeprefix("kick44k_"): r["cpu_seconds_per_step"] / base for r in rows})
    if ratios:
        ratios["today-16k"] = 1.0  # the default's own step, by definition
    return ratios


def table(rows: list[dict], ratios: dict[str, float]) -> str:
    head = ("| representation | shape | split | FD | KID | band err 4-8k / 8-16k (dB) | attack err (ms) "
            "| decay40 err (ms) | first sample (dB) | pops | CPU s/step vs 16 kHz default |")
    lines = [head, "|" + " --- |" * 3 + " ---: |" * 8]
    for r in rows:
        s = r["scores"]
        ratio = f"{ratios[r['name']]:.2f}x" if r["name"] in ratios else "-"
        lines.append(
            f"| {r['name']} | {r['shape']} | {r['split']} | {s['fd']:.1f} | {s['kid']:.3f} "
            f"| {s['band_err_db/4-8k']:.2f} / {s['band_err_db/8-16k']:.2f} | {s['attack_ms_err']:.2f} "
            f"| {s['decay40_ms_err']:.1f} | {s['first_db_median']:.1f} | {100 * s['pop_share']:.0f} % | {ratio} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data/open_kicks_44k")
    parser.add_argument("--out", default="out/fullband")
    parser.add_argument("--only", default="", help="comma-separated names (default: every candidate, today-16k, d-two-bands)")
    parser.add_argument("--bench", default=None, help="kickgan bench train JSONs (comma-separated): the step-time column")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train, test = load_split(args.data, "train").clips, load_split(args.data, "test").clips
    out = Path(args.out)
    todo = {**CANDIDATES, "today-16k": TODAY, "d-two-bands": None}
    if args.only:
        todo = {k: v for k, v in todo.items() if k in args.only.split(",")}
    rows = []
    for name, spec in todo.items():
        cfg = None if spec is None else SpecConfig(**{"sr": SR, "length": LENGTH, **spec})
        shape = "128x64 + bands" if cfg is None else "x".join(map(str, cfg.shape[1:]))
        if name in CANDIDATES:
            write_config(out, name, spec)
        for split, clips in (("test", test), ("train", train)):
            rt = two_bands(clips, train) if spec is None else round_trip(clips, train, spec)
            for i, y in enumerate(rt):
                write_wav(out / name / split / f"{i:03d}.wav", y, SR, subtype="FLOAT")
            rows.append({"name": name, "shape": shape, "split": split, "scores": scores(clips, rt)})
            print(json.dumps(rows[-1]), flush=True)
    print(table(rows, step_ratios(args.bench)))


if __name__ == "__main__":
    main()
