"""A procedural kick drum: the test data of kickgan and the ground truth of controlled experiments.

The model (all times in seconds, frequencies in Hz)::

    f(t)    = f_end + (f_start - f_end) * exp(-sweep_rate * t)        pitch sweep of the body
    rise(t) = 1 - exp(-t / attack)                                      attack
    body    = rise(t) * exp(-t / decay) * sin(2 pi integral f)          the drum head's fundamental
    mode2   = mode2_level * rise(t) * exp(-t / mode2_decay) * sin(2 pi mode2_ratio integral f)   overtone
    click   = click_level * exp(-t / click_decay) * lowpass(noise, click_cutoff)       beater / transient
    y       = tanh(drive * x) / tanh(drive)   if drive > 0 (soft saturation), then peak-normalised to 0.9

Each kick first draws a ``style`` (808, acoustic or electronic, equally likely),
then every parameter uniformly from that style's range in :data:`RANGES`.
Kick ``i`` of seed ``s`` draws from ``numpy.random.default_rng([s, i])``, so it
does not depend on how many kicks are made alongside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import signal

from kickgan.errors import ParameterError
from kickgan.io import write_json, write_text, write_wav

PEAK = 0.9
STYLES = ("808", "acoustic", "electronic")

# style -> parameter -> (low, high). f_start is drawn as f_end * f_ratio.
RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "808": {  # long boomy sine, gentle sweep, little click
        "f_end": (40.0, 60.0), "f_ratio": (1.5, 3.0), "sweep_rate": (15.0, 40.0),
        "attack": (0.0005, 0.002), "decay": (0.15, 0.45),
        "click_level": (0.0, 0.25), "click_decay": (0.002, 0.006), "click_cutoff": (2000.0, 5000.0),
        "mode2_level": (0.0, 0.0), "mode2_ratio": (1.5, 2.8), "mode2_decay_frac": (0.2, 0.5),
        "drive": (0.0, 0.0),
    },
    "acoustic": {  # short, higher, a membrane overtone and a beater click
        "f_end": (50.0, 90.0), "f_ratio": (1.1, 1.8), "sweep_rate": (30.0, 80.0),
        "attack": (0.001, 0.004), "decay": (0.05, 0.15),
        "click_level": (0.2, 0.6), "click_decay": (0.003, 0.01), "click_cutoff": (3000.0, 8000.0),
        "mode2_level": (0.1, 0.4), "mode2_ratio": (1.5, 2.3), "mode2_decay_frac": (0.3, 0.7),
        "drive": (0.0, 0.0),
    },
    "electronic": {  # fast deep sweep, driven
        "f_end": (45.0, 70.0), "f_ratio": (3.0, 8.0), "sweep_rate": (20.0, 60.0),
        "attack": (0.0005, 0.002), "decay": (0.08, 0.3),
        "click_level": (0.1, 0.5), "click_decay": (0.001, 0.005), "click_cutoff": (4000.0, 10000.0),
        "mode2_level": (0.0, 0.2), "mode2_ratio": (2.0, 3.0), "mode2_decay_frac": (0.2, 0.5),
        "drive": (1.0, 5.0),
    },
}


def draw_params(seed: int, index: int) -> dict:
    """The parameters of kick ``index`` of ``seed``: a style, then each value uniform in its range."""
    rng = np.random.default_rng([seed, index])
    style = STYLES[int(rng.integers(len(STYLES)))]
    p: dict = {"seed": int(seed), "index": int(index), "style": style}
    for name, (lo, hi) in RANGES[style].items():
        p[name] = float(rng.uniform(lo, hi)) if hi > lo else float(lo)
    p["f_start"] = p["f_end"] * p.pop("f_ratio")
    p["mode2_decay"] = p["decay"] * p.pop("mode2_decay_frac")
    p["noise_seed"] = int(rng.integers(2**31))
    return p


def render(params: dict, sr: int, length: int) -> np.ndarray:
    """Render one kick ``[length]`` float32 at ``sr`` from a parameter dict (as :func:`draw_params` gives)."""
    t = np.arange(length) / sr
    f = params["f_end"] + (params["f_start"] - params["f_end"]) * np.exp(-params["sweep_rate"] * t)
    phase = 2 * np.pi * np.cumsum(f) / sr
    rise = 1 - np.exp(-t / params["attack"])
    x = rise * np.exp(-t / params["decay"]) * np.sin(phase)
    if params["mode2_level"] > 0:
        mode2_env = params["mode2_level"] * rise * np.exp(-t / params["mode2_decay"])
        x += mode2_env * np.sin(params["mode2_ratio"] * phase)
    if params["click_level"] > 0:
        noise = np.random.default_rng(params["noise_seed"]).standard_normal(length)
        cutoff = min(params["click_cutoff"], 0.45 * sr)
        noise = signal.sosfilt(signal.butter(2, cutoff, "low", fs=sr, output="sos"), noise)
        x += params["click_level"] * np.exp(-t / params["click_decay"]) * noise / 3.0
    if params["drive"] > 0:
        x = np.tanh(params["drive"] * x) / np.tanh(params["drive"])
    return (PEAK * x / np.abs(x).max()).astype(np.float32)


def synthesize(n: int, seed: int, sr: int = 44100, length: int | None = None) -> tuple[np.ndarray, list[dict]]:
    """``n`` kicks of ``seed``: ``clips [n, length]`` float32 at ``sr`` (``length`` defaults to 1 s)
    and each kick's parameter dict."""
    if n < 0:
        raise ParameterError(f"n must be >= 0, got {n}")
    if sr < 8000:
        raise ParameterError(f"sr must be at least 8000 Hz, got {sr}")
    length = int(sr) if length is None else int(length)
    if length <= 0:
        raise ParameterError(f"length must be > 0, got {length}")
    params = [draw_params(seed, i) for i in range(n)]
    clips = np.zeros((n, length), dtype=np.float32)
    for i, p in enumerate(params):
        clips[i] = render(p, sr, length)
    return clips, params


def write_synth(out: str | Path, n: int, seed: int, sr: int = 44100, length: int | None = None) -> list[Path]:
    """Write ``n`` kicks as ``OUT/kick_<seed>_<index>.wav`` (16-bit), their parameters as
    ``OUT/params.jsonl`` and the call as ``OUT/synth.json``. Same arguments, same bytes."""
    out = Path(out)
    clips, params = synthesize(n, seed, sr, length)
    paths = []
    for y, p in zip(clips, params):
        p["file"] = f"kick_{seed}_{p['index']:05d}.wav"
        write_wav(out / p["file"], y, sr)
        paths.append(out / p["file"])
    write_text(out / "params.jsonl", "".join(json.dumps(p, sort_keys=True) + "\n" for p in params))
    write_json(out / "synth.json", {"n": n, "seed": seed, "sr": sr, "length": clips.shape[1], "ranges": RANGES})
    return paths
