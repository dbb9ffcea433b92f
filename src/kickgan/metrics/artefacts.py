"""Spectral artefacts of generated audio (after Durall, Keuper, Keuper, "Watch your
up-convolution: CNN based generative deep neural networks are failing to reproduce
spectral distributions", CVPR 2020).

- The averaged power spectrum of each set: per clip (peak-normalised) the mean STFT
  power over frames, then the mean over clips, in dB.
- The upper-band deviation: generated minus reference averaged spectrum in dB, over
  the top quarter of the frequency axis (signed mean: > 0 excess highs, as from
  aliasing; < 0 missing highs, as from blurry generators; and mean absolute).
- A periodic-peak detector for the checkerboard artefacts of transposed and
  strided convolutions, which put evenly spaced tones into every output: the averaged
  log spectrum minus its running median (the peaks alone), autocorrelated over
  frequency; the score is the largest normalised autocorrelation at a lag of
  ``MIN_LAG`` bins or more, about 0.1 for clean audio and above ``PEAK_THRESHOLD``
  for a comb of spectral peaks. The lag gives the comb's spacing in Hz.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage
import torch

from kickgan.metrics.registry import register_metric
from kickgan.spectral.stft import stft

N_FFT = 1024
HOP_LENGTH = 256
MEDIAN_BINS = 15
MIN_LAG = 6
PEAK_THRESHOLD = 0.3


def clip_power(clips: np.ndarray) -> np.ndarray:
    """Mean STFT power over frames of each peak-normalised clip: ``[N,T]`` -> ``[N, N_FFT//2+1]``."""
    y = torch.from_numpy(np.ascontiguousarray(clips, dtype=np.float32))
    peak = y.abs().amax(dim=1, keepdim=True)
    y = y / torch.where(peak > 0, peak, torch.ones_like(peak))
    spec = stft(y, N_FFT, HOP_LENGTH, center=True, pad_mode="reflect", amplitude=False)
    return (spec.abs() ** 2).mean(dim=2).numpy()


def average_spectrum_db(power: np.ndarray) -> np.ndarray:
    """Averaged power spectrum in dB ``[F]`` from per-clip powers ``[N,F]``."""
    return 10.0 * np.log10(power.mean(axis=0) + 1e-12)


def periodic_peak_score(spectrum_db: np.ndarray) -> tuple[float, int]:
    """Largest normalised autocorrelation of the peak residual of ``spectrum_db [F]``, and its lag (bins)."""
    residual = spectrum_db - scipy.ndimage.median_filter(spectrum_db, size=MEDIAN_BINS, mode="nearest")
    residual = residual - residual.mean()
    n = len(residual)
    ac = np.correlate(residual, residual, mode="full")[n - 1 :]
    if ac[0] <= 0:
        return 0.0, 0
    ac = ac / ac[0]
    lags = np.arange(MIN_LAG, n // 3)
    best = lags[np.argmax(ac[lags])]
    return float(ac[best]), int(best)


def upper_band_deviation(gen_db: np.ndarray, ref_db: np.ndarray) -> tuple[float, float]:
    """Signed and absolute mean of ``gen_db - ref_db`` over the top quarter of bins (dB)."""
    diff = (gen_db - ref_db)[-(len(gen_db) // 4) :]
    return float(diff.mean()), float(np.abs(diff).mean())


@register_metric("artefacts", paper="Durall et al. 2020, Watch your up-convolution (CVPR)")
def artefacts_metric(gen, ref, train=None) -> dict:
    """Upper-band deviation of the averaged spectrum and periodic-peak scores of both sets."""
    gen_db, ref_db = average_spectrum_db(gen.power), average_spectrum_db(ref.power)
    signed, absolute = upper_band_deviation(gen_db, ref_db)
    score, lag = periodic_peak_score(gen_db)
    ref_score, _ = periodic_peak_score(ref_db)
    return {
        "art/upper_band_db": signed,
        "art/upper_band_abs_db": absolute,
        "art/spectrum_abs_db": float(np.abs(gen_db - ref_db).mean()),
        "art/peak_score": score,
        "art/peak_score_ref": ref_score,
        "art/peak_spacing_hz": lag * gen.sr / N_FFT,
        "art/periodic_peaks": int(score > PEAK_THRESHOLD),
    }
