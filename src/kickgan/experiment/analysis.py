"""The paper's analysis: the spatial patterns and nonspatial distributions of a set of kicks.

"Spatial patterns" are the time-frequency structure of each kick, as curves and numbers per clip:

- :func:`onset_sharpness`: the steepest rise of the amplitude envelope, as a fraction of its peak
  per millisecond (a 2 ms linear attack gives 0.5 /ms);
- :func:`pitch_glide`: the body frequency (:func:`kickgan.audio.descriptors.body_frequency`, the
  same definition the descriptors use) every few milliseconds over the first 100 ms after the onset;
- :func:`decay_envelope`: the amplitude envelope (:func:`kickgan.audio.descriptors.envelope`) in dB
  re its peak, from the peak on.

"Nonspatial distributions" treat the log-magnitude spectrogram as an image and look at its statistics,
wherever a value sits (after Durall, Keuper and Keuper, CVPR 2020):

- :func:`bin_statistics` and :func:`bin_histograms`: per frequency bin, the mean and standard deviation
  of the log-magnitude over clips and frames, and its distribution at a few bins;
- :func:`radial_spectrum`: the azimuthally averaged power of the 2-D Fourier transform of each
  spectrogram image (Durall's 1-D power spectrum), in dB against the radial frequency in cycles per
  pixel; :func:`spectral_peak` finds a periodic artefact in it (the checkerboard of strided
  up-convolutions puts a peak at 1/stride cycles per pixel).

The spectrogram is :func:`kickgan.spectral.stft`, the one STFT of the package. Shapes: ``clips [N,T]``,
``S_db [N,F,M]`` (``F = n_fft//2 + 1`` bins, ``M = T // hop_length`` frames), curves ``[N,K]``.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.ndimage
import torch

from kickgan.errors import ParameterError
from kickgan.audio.descriptors import body_frequency, envelope, onsets
from kickgan.spectral import stft

N_FFT = 512
HOP_LENGTH = 128
FLOOR_DB = -100.0  # log-magnitudes below this are clipped to it (silence)
GLIDE_MS = 100.0
GLIDE_STEP_MS = 5.0
DECAY_MS = 400.0
DECAY_STEP_MS = 5.0
PEAK_MEDIAN_BINS = 7


def _check(clips: np.ndarray) -> np.ndarray:
    clips = np.asarray(clips, dtype=np.float32)
    if clips.ndim != 2 or clips.shape[0] == 0 or clips.shape[1] == 0:
        raise ParameterError(f"clips: expected a non-empty [N, T] array, got shape {list(clips.shape)}")
    return clips


def onset_sharpness(clips: np.ndarray, sr: int, smooth_ms: float = 0.5) -> np.ndarray:
    """Steepest rise of each clip's envelope before its peak, in (fraction of the peak) per ms: ``[N]``."""
    env = envelope(_check(clips), sr, smooth_ms)
    env = env / np.maximum(env.max(axis=1, keepdims=True), 1e-12)
    rise = np.diff(env, axis=1) * sr / 1000.0  # [N, T-1] per ms
    before_peak = np.arange(rise.shape[1])[None, :] < env.argmax(axis=1)[:, None]
    return np.where(before_peak, rise, 0.0).max(axis=1, initial=0.0)


def pitch_glide(clips: np.ndarray, sr: int, ms: float = GLIDE_MS, step_ms: float = GLIDE_STEP_MS
                ) -> tuple[np.ndarray, np.ndarray]:
    """Body frequency (Hz) every ``step_ms`` from ``step_ms`` to ``ms`` after each onset.

    Returns ``times_ms [K]`` and ``hz [N,K]`` (NaN where the 10 ms window leaves the clip).
    """
    clips = _check(clips)
    times_ms = np.arange(step_ms, ms + step_ms / 2, step_ms)
    start = onsets(clips) / sr
    hz = body_frequency(clips, sr, [start + t / 1000.0 for t in times_ms])
    return times_ms, np.stack(hz, axis=1)


def decay_envelope(clips: np.ndarray, sr: int, ms: float = DECAY_MS, step_ms: float = DECAY_STEP_MS
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Envelope in dB re its peak every ``step_ms`` from the peak on: ``times_ms [K]``, ``db [N,K]``.

    NaN past the clip's end; floored at ``FLOOR_DB``.
    """
    env = envelope(_check(clips), sr)
    peak = env.argmax(axis=1)
    times_ms = np.arange(0.0, ms + step_ms / 2, step_ms)
    idx = peak[:, None] + np.round(times_ms * sr / 1000.0).astype(int)[None, :]
    inside = idx < env.shape[1]
    vals = np.take_along_axis(env, np.minimum(idx, env.shape[1] - 1), axis=1)
    db = 20.0 * np.log10(np.maximum(vals / np.maximum(env.max(axis=1, keepdims=True), 1e-12), 1e-12))
    return times_ms, np.where(inside, np.maximum(db, FLOOR_DB), np.nan)


def curve_stats(curves: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, standard deviation, 10th and 90th percentile over clips of ``curves [N,K]`` (NaNs ignored): each ``[K]``."""
    curves = np.asarray(curves, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a point past every clip's end is all NaN
        return {"mean": np.nanmean(curves, axis=0), "std": np.nanstd(curves, axis=0),
                "p10": np.nanpercentile(curves, 10, axis=0), "p90": np.nanpercentile(curves, 90, axis=0)}


def log_magnitude(clips: np.ndarray, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """Log-magnitude spectrograms ``S_db [N, n_fft//2+1, T//hop_length]`` of the peak-normalised clips, in dB.

    A unit sine at a bin centre reads 0 dB (the STFT's normalisation); floored at ``FLOOR_DB``.
    """
    clips = _check(clips)
    peak = np.abs(clips).max(axis=1, keepdims=True)
    y = torch.from_numpy(clips / np.where(peak > 0, peak, 1.0))
    mag = stft(y, n_fft, hop_length).abs().numpy()
    return np.maximum(20.0 * np.log10(np.maximum(mag, 1e-12)), FLOOR_DB)


def bin_statistics(S_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of ``S_db [N,F,M]`` per frequency bin, over clips and frames: ``[F]`` each."""
    flat = np.moveaxis(np.asarray(S_db, dtype=float), 1, 0).reshape(S_db.shape[1], -1)
    return flat.mean(axis=1), flat.std(axis=1)


def bin_histograms(S_db: np.ndarray, bins: list[int], edges: np.ndarray) -> np.ndarray:
    """Densities ``[len(bins), len(edges)-1]`` of the log-magnitude at the frequency ``bins`` (values outside ``edges`` clipped in)."""
    edges = np.asarray(edges, dtype=float)
    out = []
    for b in bins:
        values = np.clip(np.asarray(S_db)[:, b, :].ravel(), edges[0], edges[-1])
        counts, _ = np.histogram(values, bins=edges)
        out.append(counts / max(counts.sum(), 1) / np.diff(edges))
    return np.array(out)


def radial_spectrum(S_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Durall's 1-D power spectrum of spectrogram images ``S_db [N,F,M]``.

    Each image minus its mean is 2-D Fourier transformed; its power is averaged over rings of radial
    frequency ``sqrt(f_F^2 + f_M^2)`` (cycles per pixel, up to 0.5) and over the images. Returns
    ``freqs [R]`` (ring centres, cycles per pixel) and ``power_db [R]``, ``R = min(F, M) // 2``.
    """
    S = np.asarray(S_db, dtype=float)
    if S.ndim != 3 or min(S.shape[1:]) < 4:
        raise ParameterError(f"S_db: expected [N, F, M] images of at least 4 x 4, got shape {list(S.shape)}")
    power = (np.abs(np.fft.fft2(S - S.mean(axis=(1, 2), keepdims=True))) ** 2).mean(axis=0)  # [F, M]
    fy, fx = np.fft.fftfreq(S.shape[1]), np.fft.fftfreq(S.shape[2])
    radius = np.hypot(fy[:, None], fx[None, :])
    n_rings = min(S.shape[1:]) // 2
    ring = np.minimum((radius / 0.5 * n_rings).astype(int), n_rings - 1)
    ring = np.where(radius <= 0.5, ring, n_rings)  # the corners beyond 0.5 go to a ring that is dropped
    sums = np.bincount(ring.ravel(), weights=power.ravel(), minlength=n_rings + 1)[:n_rings]
    counts = np.bincount(ring.ravel(), minlength=n_rings + 1)[:n_rings]
    freqs = (np.arange(n_rings) + 0.5) * 0.5 / n_rings
    return freqs, 10.0 * np.log10(sums / np.maximum(counts, 1) + 1e-12)


def spectral_peak(freqs: np.ndarray, power_db: np.ndarray, median_bins: int = PEAK_MEDIAN_BINS) -> tuple[float, float]:
    """The strongest narrow peak of a 1-D spectrum: its frequency and its height (dB) above a running median.

    Rings below ``median_bins // 2 + 1`` are skipped (the low-frequency slope of any image).
    """
    power_db = np.asarray(power_db, dtype=float)
    residual = power_db - scipy.ndimage.median_filter(power_db, size=median_bins, mode="mirror")
    start = median_bins // 2 + 1
    if len(residual) <= start:
        raise ParameterError(f"power_db: {len(residual)} values, need more than {start} to look for a peak")
    best = start + int(np.argmax(residual[start:]))
    return float(freqs[best]), float(residual[best])
