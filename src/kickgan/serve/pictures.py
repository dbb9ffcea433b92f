"""What a pad shows: a waveform outline and a small spectrogram of a finished kick, as plain numbers.

The page draws them on canvases; sending numbers (not images) keeps the server free of plotting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from kickgan.io import read_audio
from kickgan.spectral.stft import stft

WAVE_POINTS = 96  # peak values across the clip
SPEC_BANDS, SPEC_FRAMES = 24, 32  # log-spaced bands x time frames
SPEC_N_FFT = 1024
SPEC_RANGE_DB = 60.0  # shades span this far below the loudest cell
SPEC_MIN_HZ = 30.0


def waveform(y: np.ndarray, points: int = WAVE_POINTS) -> list[float]:
    """The largest ``|y|`` in each of ``points`` equal stretches of ``y [T]``, rounded to 3 decimals."""
    edges = np.linspace(0, len(y), points + 1).astype(int)
    return [round(float(np.abs(y[a:b]).max(initial=0.0)), 3) for a, b in zip(edges[:-1], edges[1:])]


def spectrogram(y: np.ndarray, sr: int, bands: int = SPEC_BANDS, frames: int = SPEC_FRAMES) -> list[list[int]]:
    """``[bands][frames]`` shades 0-255 (lowest band first): band energy in dB over the top
    ``SPEC_RANGE_DB``, bands log-spaced from ``SPEC_MIN_HZ`` to ``sr / 2``."""
    hop = max(1, len(y) // frames)
    power = stft(torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32)), SPEC_N_FFT, hop).abs().square().numpy()
    power = power[:, :frames]
    freqs = np.arange(power.shape[0]) * sr / SPEC_N_FFT
    edges = np.geomspace(SPEC_MIN_HZ, sr / 2, bands + 1)
    rows = [power[(freqs >= lo) & (freqs < hi)].sum(axis=0) for lo, hi in zip(edges[:-1], edges[1:])]
    db = 10 * np.log10(np.stack(rows) + 1e-12)
    shade = np.clip((db - db.max() + SPEC_RANGE_DB) / SPEC_RANGE_DB, 0.0, 1.0) * 255
    return shade.round().astype(int).tolist()


def pictures(wav: Path) -> dict:
    """``{"wave", "spec", "seconds"}`` of the kick file ``wav``."""
    y, sr = read_audio(wav)
    return {"wave": waveform(y[0]), "spec": spectrogram(y[0], sr), "seconds": round(y.shape[1] / sr, 3)}
