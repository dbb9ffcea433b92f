"""``data show``: statistics of a dataset (or any audio folder) and a picture of some examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from kickgan.audio.descriptors import band_ratios, decay_ms, envelope
from kickgan.data.dataset import SPLITS, is_dataset, load_clips, load_split, read_info
from kickgan.errors import ParameterError
from kickgan.io import atomic_path
from kickgan.spectral.stft import stft

N_FFT = 512
HOP_LENGTH = 128


def clip_stats(clips: np.ndarray, sr: int) -> dict:
    """Per-set statistics of ``clips [N, T]`` at ``sr``: medians (and ranges) of peak, RMS level,
    decay time to -40 dB re peak and spectral centroid (the evaluation's definitions:
    :mod:`kickgan.audio.descriptors`)."""
    if clips.ndim != 2 or len(clips) == 0:
        raise ParameterError(f"expected clips [N, T] with N > 0, got shape {clips.shape}")
    peak = np.abs(clips).max(axis=1)
    rms_db = 10 * np.log10(np.mean(clips.astype(np.float64) ** 2, axis=1) + 1e-12)
    decay_s = decay_ms(envelope(clips, sr), sr, 40.0) / 1000.0
    centroid = band_ratios(clips, sr)[0]
    stats = {"n": len(clips), "sr": sr, "length": clips.shape[1]}
    for name, v in (("peak", peak), ("rms_db", rms_db), ("decay_40db_s", decay_s),
                    ("centroid_hz", centroid)):
        stats[name] = {"median": float(np.median(v)), "min": float(v.min()), "max": float(v.max())}
    return stats


def plot_grid(clips: np.ndarray, names: list[str], sr: int, path: Path, n: int = 8) -> None:
    """A PNG of up to ``n`` examples: a waveform row and a log-magnitude spectrogram row (log frequency)."""
    import matplotlib

    matplotlib.use("Agg")
    import librosa
    import matplotlib.pyplot as plt

    n = min(n, len(clips))
    fig, axes = plt.subplots(2, n, figsize=(2.2 * n, 4.4), squeeze=False)
    t = np.arange(clips.shape[1]) / sr
    for k in range(n):
        axes[0, k].plot(t, clips[k], lw=0.5)
        axes[0, k].set_ylim(-1.05, 1.05)
        axes[0, k].set_title(names[k][:24], fontsize=7)
        spec = stft(torch.from_numpy(np.ascontiguousarray(clips[k], dtype=np.float32)), N_FFT, HOP_LENGTH,
                    center=True).abs().numpy()
        db = librosa.amplitude_to_db(spec, ref=np.max, top_db=80)
        times = np.arange(db.shape[1]) * HOP_LENGTH / sr
        axes[1, k].pcolormesh(times, librosa.fft_frequencies(sr=sr, n_fft=N_FFT)[1:], db[1:], cmap="magma",
                              shading="auto")
        axes[1, k].set_yscale("log")  # a kick lives below 200 Hz: a log axis shows it
        axes[1, k].set_ylim(20, sr / 2)
        axes[1, k].set_xlabel("s", fontsize=7)
        for ax in axes[:, k]:
            ax.tick_params(labelsize=6)
    axes[1, 0].set_ylabel("Hz", fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)


def show(root: str | Path, out_png: Path | None = None, n: int = 8, sr: int = 16000, length: int = 16384,
         seed: int = 0) -> str:
    """Statistics of a dataset (each split) or of an audio folder (prepared at ``sr``, ``length``), as
    text; writes the PNG grid of ``n`` examples (drawn with ``seed``) to ``out_png`` (default ``DIR/examples.png``)."""
    root = Path(root)
    lines = []
    if is_dataset(root):
        info = read_info(root)
        sets = [(s, load_split(root, s)) for s in SPLITS]
        lines.append(f"{root}: {info['n_kept']} clips at {info['sr']} Hz, {info['length']} samples, split by "
                     f"{info['split_by']}; {info['n_files']} files read, rejected: {info['rejected'] or 'none'}")
        for name, data in sets:
            lines.append(f"  {name}: {len(data.clips)} clips from {len(set(data.kits))} kits")
            if len(data.clips):
                lines.append(_format_stats(clip_stats(data.clips, data.sr)))
        pool = [(c, nm) for _, d in sets for c, nm in zip(d.clips, d.names)]
        sr = info["sr"]
    else:
        clips, names = load_clips(str(root), sr, length)
        lines.append(f"{root}: {len(clips)} audio files, prepared to {sr} Hz, {length} samples")
        lines.append(_format_stats(clip_stats(clips, sr)))
        pool = list(zip(clips, names))
    pick = np.sort(np.random.default_rng(seed).permutation(len(pool))[:n])
    out_png = Path(out_png) if out_png else root / "examples.png"
    plot_grid(np.stack([pool[i][0] for i in pick]), [pool[i][1] for i in pick], sr, out_png, n)
    lines.append(f"wrote {out_png}")
    return "\n".join(lines)


def _format_stats(stats: dict) -> str:
    parts = []
    for key in ("peak", "rms_db", "decay_40db_s", "centroid_hz"):
        s = stats[key]
        parts.append(f"{key} {s['median']:.3g} [{s['min']:.3g}, {s['max']:.3g}]")
    return "    median [min, max]: " + "; ".join(parts)
