"""The periodic-peak detector fires on a planted comb and is quiet on clean kicks; validity flags."""

import numpy as np
import pytest

from kickgan.metrics.artefacts import N_FFT, PEAK_THRESHOLD, artefacts_metric, clip_power
from kickgan.metrics.features import Features
from kickgan.metrics.validity import validity_flags, validity_metric

SR = 16000


def kicks(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(SR // 2) / SR
    out = []
    for _ in range(n):
        freq = rng.uniform(40, 70) + rng.uniform(50, 200) * np.exp(-t / rng.uniform(0.01, 0.05))
        body = np.sin(2 * np.pi * np.cumsum(freq) / SR) * np.exp(-t / rng.uniform(0.05, 0.3))
        click = rng.standard_normal(len(t)) * np.exp(-t / 0.003) * 0.3
        out.append(body + click + 1e-4 * rng.standard_normal(len(t)))
    return np.array(out, np.float32)


def feats(clips):
    n = len(clips)
    return Features([str(i) for i in range(n)], SR, np.zeros((n, 2)), np.zeros((n, 2)), np.zeros((n, 1)),
                    clip_power(clips), validity_flags(clips), np.zeros((n, 3)), np.zeros((n, 3)))


def comb(n_samples, spacing_hz, level):
    """Steady tones at every multiple of ``spacing_hz``, as a transposed convolution's checkerboard makes."""
    t = np.arange(n_samples) / SR
    return level * sum(np.sin(2 * np.pi * f * t) for f in np.arange(spacing_hz, SR / 2, spacing_hz))


def test_detector_is_quiet_on_clean_kicks_and_fires_on_a_planted_comb():
    ref, clean = kicks(24, seed=0), kicks(24, seed=1)
    quiet = artefacts_metric(feats(clean), feats(ref))
    assert quiet["art/periodic_peaks"] == 0 and quiet["art/peak_score"] < PEAK_THRESHOLD
    spacing = 16 * SR / N_FFT  # 250 Hz: a comb every 16 bins
    planted = artefacts_metric(feats(clean + comb(clean.shape[1], spacing, 3e-3)), feats(ref))
    assert planted["art/periodic_peaks"] == 1 and planted["art/peak_score"] > 2 * quiet["art/peak_score"]
    assert planted["art/peak_spacing_hz"] == pytest.approx(spacing)


def test_upper_band_deviation_sees_added_and_missing_highs():
    ref, gen = kicks(16, seed=0), kicks(16, seed=1)
    hiss = 0.05 * np.random.default_rng(3).standard_normal(gen.shape)
    spectrum = np.fft.rfft(gen, axis=1)
    spectrum[:, spectrum.shape[1] // 2 :] = 0
    dull = np.fft.irfft(spectrum, n=gen.shape[1], axis=1)
    assert artefacts_metric(feats(gen + hiss), feats(ref))["art/upper_band_db"] > 6
    assert artefacts_metric(feats(dull), feats(ref))["art/upper_band_db"] < -20


def test_upper_band_deviation_of_identical_sets_is_zero():
    ref = kicks(8, seed=2)
    out = artefacts_metric(feats(ref), feats(ref))
    assert out["art/upper_band_db"] == 0.0 and out["art/spectrum_abs_db"] == 0.0


def test_validity_flags_silent_nonfinite_and_clipped():
    t = np.arange(SR) / SR
    sine = np.sin(2 * np.pi * 50 * t)  # peak-normalised: near 1.0 for several samples, but never flat
    nan = sine.copy()
    nan[100] = np.nan
    clips = np.stack([sine, np.clip(1.5 * sine, -1, 1), np.zeros_like(sine), nan])
    flags = validity_flags(clips)
    np.testing.assert_array_equal(flags, [[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]])
    out = validity_metric(Features(["a", "b", "c", "d"], SR, *(np.zeros((4, 1)),) * 4, flags, np.zeros((4, 3)), np.zeros((4, 3))))
    assert out == {"valid/nonfinite": 0.25, "valid/silent": 0.25, "valid/clipped": 0.25, "valid/ok": 0.25}
