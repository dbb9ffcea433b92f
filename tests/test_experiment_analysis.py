"""Known answers for the paper's analysis functions (kickgan.experiment.analysis)."""

import numpy as np
import pytest

from kickgan.errors import ParameterError
from kickgan.experiment import analysis

SR = 16000
T = 8192


def _glide_kick(n: int = 3) -> np.ndarray:
    """A kick whose frequency glides 50 + 100 exp(-t / 30 ms) Hz, decaying exp(-t / 100 ms), onset at 20 ms."""
    t = np.arange(T - 320) / SR
    f = 50.0 + 100.0 * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(f) / SR
    y = np.concatenate([np.zeros(320), np.sin(phase) * np.exp(-t / 0.1)])
    return np.tile(y, (n, 1)).astype(np.float32)


def test_pitch_glide_measures_a_known_exponential_glide():
    times, hz = analysis.pitch_glide(_glide_kick(), SR)
    assert times[0] == 5.0 and times[-1] == 100.0 and hz.shape == (3, 20)
    expected = 50.0 + 100.0 * np.exp(-times / 30.0)
    # a 10 ms median over a curve that falls 3 Hz per ms at first: within 4 Hz there, 1 Hz from 40 ms on
    np.testing.assert_allclose(hz[0], expected, atol=4.0)
    np.testing.assert_allclose(hz[0, times >= 40], expected[times >= 40], atol=1.0)


def test_decay_envelope_of_an_exponential_falls_at_its_known_rate():
    tau = 0.05  # s: the envelope falls 20 log10(e) / tau = 173.7 dB per second
    t = np.arange(T) / SR
    y = (np.exp(-t / tau) * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)[None, :]
    times, db = analysis.decay_envelope(y, SR, ms=200.0)
    fit = (times >= 10) & (times <= 150)
    slope = np.polyfit(times[fit], db[0, fit], 1)[0]  # dB per ms
    assert slope == pytest.approx(-20 * np.log10(np.e) / (tau * 1000), rel=0.03)
    assert db[0, 0] == pytest.approx(0.0, abs=0.5)


def test_decay_envelope_is_nan_past_the_end_and_curve_stats_ignore_it():
    t = np.arange(1600) / SR
    y = (np.exp(-t / 0.02) * np.sin(2 * np.pi * 500 * t)).astype(np.float32)
    times, db = analysis.decay_envelope(np.stack([y, 0.5 * y]), SR, ms=200.0)
    assert np.isnan(db[:, times > 100]).all()
    stats = analysis.curve_stats(db)
    np.testing.assert_allclose(stats["mean"][times < 90], db[0, times < 90], atol=1e-6)  # level-independent
    np.testing.assert_allclose(stats["std"][times < 90], 0.0, atol=1e-6)


def test_onset_sharpness_of_a_linear_attack():
    t = np.arange(T) / SR
    attack = np.clip(t / 0.01, 0, 1) * np.exp(-np.maximum(t - 0.01, 0) / 0.2)  # 10 ms ramp: 0.1 of the peak per ms
    fast = np.clip(t / 0.002, 0, 1) * np.exp(-np.maximum(t - 0.002, 0) / 0.2)
    carrier = np.sin(2 * np.pi * 2000 * t)
    sharp = analysis.onset_sharpness(np.stack([attack * carrier, fast * carrier]).astype(np.float32), SR)
    assert sharp[0] == pytest.approx(0.1, rel=0.1)
    assert sharp[1] == pytest.approx(0.5, rel=0.15)


def test_log_magnitude_reads_a_bin_centred_sine_at_zero_db_and_bin_statistics_find_it():
    k = 40  # bin 40 of a 512-point FFT at 16 kHz: 1250 Hz
    y = np.sin(2 * np.pi * k * SR / analysis.N_FFT * np.arange(T) / SR).astype(np.float32)
    S = analysis.log_magnitude(np.stack([y, 0.1 * y]))
    assert S.shape == (2, analysis.N_FFT // 2 + 1, T // analysis.HOP_LENGTH)
    assert S[:, k, 8:-8].mean() == pytest.approx(0.0, abs=0.05)  # peak-normalised: both clips alike
    mean, std = analysis.bin_statistics(S)
    assert int(np.argmax(mean)) == k and mean.shape == std.shape == (S.shape[1],)
    assert S.min() >= analysis.FLOOR_DB


def test_bin_histograms_are_densities_and_place_the_values():
    S = np.zeros((2, 4, 10))
    S[:, 1, :] = -30.0
    edges = np.linspace(-60, 0, 7)
    h = analysis.bin_histograms(S, [0, 1], edges)
    np.testing.assert_allclose((h * np.diff(edges)).sum(axis=1), 1.0)
    assert np.argmax(h[0]) == 5 and np.argmax(h[1]) == 3  # 0 dB clipped into the top bin; -30 in [-30, -20)


def _images(rng: np.random.Generator, period: int | None) -> np.ndarray:
    """Smooth random spectrogram-like images [8, 128, 64], with stripes of ``period`` bins planted along F."""
    smooth = np.cumsum(np.cumsum(rng.normal(size=(8, 128, 64)), axis=1), axis=2) * 0.05
    if period:
        smooth += 3.0 * np.cos(2 * np.pi * np.arange(128) / period)[None, :, None]
    return smooth - 60.0


@pytest.mark.parametrize("period", [2, 4, 8])
def test_radial_spectrum_finds_a_planted_periodic_artefact_at_its_frequency(period):
    rng = np.random.default_rng(0)
    freqs, power = analysis.radial_spectrum(_images(rng, period))
    assert len(freqs) == 32 and freqs[0] > 0 and freqs[-1] < 0.5
    where, height = analysis.spectral_peak(freqs, power)
    assert where == pytest.approx(1.0 / period, abs=0.5 / 32)  # within one ring of 1/period cycles per pixel
    _, clean = analysis.spectral_peak(*analysis.radial_spectrum(_images(rng, None)))
    assert height > clean + 10.0


def test_bad_shapes_are_parameter_errors():
    with pytest.raises(ParameterError, match=r"clips: expected a non-empty \[N, T\] array"):
        analysis.onset_sharpness(np.zeros(100), SR)
    with pytest.raises(ParameterError, match="S_db: expected"):
        analysis.radial_spectrum(np.zeros((2, 2, 2)))
