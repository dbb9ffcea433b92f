"""The report's figures, each drawn from ``experiment.json`` (and the gallery WAVs) and saved as PNG and PDF.

Drawn with matplotlib's object-oriented API (``Figure``, Agg canvas): no pyplot state, no display.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.figure import Figure

from kickgan.io import atomic_path, read_audio
from kickgan.spectral.stft import stft

FORMATS = ("png", "pdf")
# no creation date (and a fixed producer): redrawing an unchanged figure rewrites the same bytes
METADATA = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None}}
# stats keys that measure quality during training (the trainer's periodic validation), best first
QUALITY_KEYS = ("val/fd", "val/desc_w1", "val/spectral")
# the training losses drawn per model (those a run logs), and their colours
LOSS_KEYS = (("loss/d", "C0"), ("loss/g", "C1"), ("loss/fm", "C2"))
# metrics of the evaluated checkpoints, best first
FINAL_QUALITY = ("fd/aisfx-512", "desc/w1_mean")


def model_style(i: int) -> dict:
    """Line colour and style of the ``i``-th model: the ten tab10 colours, solid, then Dark2's, dashed."""
    palettes = (colormaps["tab10"].colors, colormaps["Dark2"].colors)
    decade = (i // 10) % len(palettes)
    return {"color": palettes[decade][i % 10 % len(palettes[decade])], "ls": "-" if decade == 0 else "--"}


def save_figure(fig: Figure, folder: Path, stem: str) -> list[Path]:
    """Write ``fig`` as ``FOLDER/STEM.png`` and ``.pdf`` atomically, without timestamps; return the paths."""
    paths = []
    for fmt in FORMATS:
        path = Path(folder) / f"{stem}.{fmt}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=100, metadata=METADATA[fmt])
        paths.append(path)
    return paths


def _grid(n: int, cols: int = 3, size: tuple[float, float] = (4.0, 2.8), fast: bool = False) -> tuple[Figure, list]:
    """A figure of ``n`` panels; ``fast`` spaces them by hand (constrained layout is slow for many panels)."""
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    fig = Figure(figsize=(size[0] * cols, size[1] * rows), layout=None if fast else "constrained")
    if fast:
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.08, top=0.92, hspace=0.6, wspace=0.35)
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n)]
    return fig, axes


def _model_names(record: dict) -> list[str]:
    return [m["name"] for m in record["models"]]


def loss_curves(record: dict) -> Figure:
    """The training losses against step (D and G for a GAN, the flow-matching loss for a flow model),
    one panel per model, one line per seed (same colour)."""
    names = _model_names(record)
    fig, axes = _grid(len(names))
    for ax, name in zip(axes, names):
        for j, run in enumerate(r for r in record["runs"] if r["model"] == name):
            curves = run.get("curves") or {}
            for key, color in LOSS_KEYS:
                xs, ys = _pairs(curves.get("step", []), curves.get(key, []))
                if xs:
                    ax.plot(xs, ys, color=color, lw=0.8, alpha=0.8, label=key if j == 0 else None)
        ax.set_title(name)
        ax.set_xlabel("generator step")
        ax.set_ylabel("loss")
        _legend(ax)
    return fig


def quality_curves(record: dict) -> Figure:
    """Quality against training: the trainer's periodic validation score per model against
    wall-clock time (lines, left), and the final score of each evaluated run against the generator
    steps it reached (points, right; under one time budget, what each model's speed bought)."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    key = _quality_key(record)
    for i, name in enumerate(_model_names(record)):
        for j, run in enumerate(r for r in record["runs"] if r["model"] == name):
            curves = run.get("curves") or {}
            if key:
                xs, ys = _pairs(curves.get("time", []), curves.get(key, []))
                left.plot(np.asarray(xs) / 60, ys, **model_style(i), lw=1, marker=".", label=name if j == 0 else None)
    left.set_title(f"during training: {key}" if key else "no periodic validation in the training stats")
    left.set_xlabel("training CPU time (min)" if "cpu_minutes" in record.get("budget", {}) else "training time (min)")
    left.set_ylabel(key or "")
    _legend(left)
    final = next((k for k in FINAL_QUALITY if any(k in r["metrics"] for r in record["runs"])), None)
    for i, name in enumerate(_model_names(record)):
        runs = [r for r in record["runs"] if r["model"] == name and r["metrics"].get(final) is not None]
        right.scatter([r["steps"] for r in runs], [r["metrics"][final] for r in runs], color=model_style(i)["color"],
                      label=name)
    right.set_xscale("log")
    right.set_title(f"evaluated run: {final}" if final else "no final evaluation")
    right.set_xlabel("generator steps reached (log)")
    right.set_ylabel(final or "")
    _legend(right)
    return fig


def spectrogram_grid(record: dict, folder: Path, n: int = 8) -> Figure:
    """Log-mel spectrograms of ``n`` kicks per row: the real ones, then each model's gallery (missing WAVs skipped)."""
    rows = [("real", record["real"].get("audio", []))]
    rows += [(name, _gallery(record, name)) for name in _model_names(record)]
    rows = [(label, [p for p in paths if (Path(folder) / p).is_file()]) for label, paths in rows]
    cols = max(1, min(n, max(len(paths) for _, paths in rows)))
    fig = Figure(figsize=(1.6 * cols + 1, 1.4 * len(rows)))
    fig.subplots_adjust(left=0.1, right=0.99, bottom=0.02, top=0.98, hspace=0.08, wspace=0.05)
    for i, (label, paths) in enumerate(rows):
        for j in range(cols):
            ax = fig.add_subplot(len(rows), cols, i * cols + j + 1)
            ax.set_xticks([])
            ax.set_yticks([])
            if j < len(paths):
                y, sr = read_audio(Path(folder) / paths[j])
                ax.imshow(log_mel(y[0], sr), origin="lower", aspect="auto", vmin=-80, vmax=0, cmap="magma")
            if j == 0:
                ax.set_ylabel(label, fontsize=8)
    return fig


def log_mel(y: np.ndarray, sr: int, n_fft: int = 512, hop_length: int = 64, n_mels: int = 64) -> np.ndarray:
    """Log-mel power of one clip ``y [T]`` in dB re its maximum: ``[n_mels, frames]`` (for pictures only)."""
    X = stft(torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32)), n_fft, hop_length, center=True).numpy()
    mel = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=20.0) @ (np.abs(X) ** 2)
    return 10.0 * np.log10(np.maximum(mel, 1e-10) / max(mel.max(), 1e-10))


def descriptor_histograms(record: dict) -> Figure:
    """One panel per kick descriptor: the real distribution against each model's (all seeds pooled)."""
    real = record["real"].get("descriptors", {})
    names = list(real)  # the metrics' order
    fig, axes = _grid(max(1, len(names)), cols=4, size=(3.2, 2.4), fast=True)
    for ax, key in zip(axes, names):
        values = {"real": real[key]}
        for name in _model_names(record):
            values[name] = [v for r in record["runs"] if r["model"] == name
                            for v in (r.get("descriptors") or {}).get(key, [])]
        finite = np.concatenate([_finite(v) for v in values.values()])
        if finite.size == 0:
            continue
        lo, hi = np.percentile(finite, [1, 99])
        bins = np.linspace(lo, hi if hi > lo else lo + 1, 25)
        for i, (label, v) in enumerate(values.items()):
            v = _finite(v)
            if v.size:
                style = {"color": "k"} if label == "real" else model_style(i - 1)
                ax.hist(v, bins=bins, density=True, histtype="step", lw=1.8 if label == "real" else 1, label=label,
                        **style)
        ax.set_title(key, fontsize=9)
        ax.locator_params(axis="x", nbins=4)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:  # beside the panels, not over the first one
        fig.subplots_adjust(right=0.86)
        fig.legend(handles, labels, loc="upper right", fontsize=7)
    return fig


def power_spectra(record: dict) -> Figure:
    """Averaged power spectra in dB: real against each model, seeds averaged (Durall et al. 2020's comparison)."""
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    series = [("real", [record["real"]])] + [(name, [r for r in record["runs"] if r["model"] == name])
                                             for name in _model_names(record)]
    for i, (label, items) in enumerate(series):
        items = [r for r in items if r.get("power_spectrum") and r.get("freqs")]
        if items:  # the seeds of one model share a rate, so their frequency axes agree
            db = np.mean([np.asarray(r["power_spectrum"], dtype=float) for r in items], axis=0)
            style = {"color": "k"} if label == "real" else model_style(i - 1)
            ax.plot(items[0]["freqs"], db, lw=1.8 if label == "real" else 1, label=label, **style)
    ax.set_xscale("symlog", linthresh=100)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("mean power (dB)")
    _legend(ax)
    return fig


def write_figures(record: dict, folder: str | Path, n: int = 8) -> list[Path]:
    """Draw every figure into ``FOLDER/figures``; return the written paths (PNG and PDF of each)."""
    folder = Path(folder)
    out = folder / "figures"
    paths = []
    for stem, fig in (
        ("loss_curves", loss_curves(record)),
        ("quality_vs_time", quality_curves(record)),
        ("spectrograms", spectrogram_grid(record, folder, n)),
        ("descriptors", descriptor_histograms(record)),
        ("power_spectra", power_spectra(record)),
    ):
        paths += save_figure(fig, out, stem)
    return paths


def _gallery(record: dict, name: str) -> list[str]:
    """The gallery WAVs of a model: those of its first run that has any."""
    return next((r["audio"] for r in record["runs"] if r["model"] == name and r.get("audio")), [])


def _quality_key(record: dict) -> str | None:
    keys = {k for r in record["runs"] for k in (r.get("curves") or {})}
    return next((k for k in QUALITY_KEYS if k in keys), None)


def _pairs(xs: list, ys: list) -> tuple[list, list]:
    """The (x, y) pairs where both are numbers."""
    pairs = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _finite(values) -> np.ndarray:
    v = np.asarray([x for x in values if x is not None], dtype=float)
    return v[np.isfinite(v)]


def _legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=6 if len(ax.get_legend_handles_labels()[0]) > 8 else 7)
