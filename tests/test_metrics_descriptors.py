"""Descriptors recover the parameters of synthesised kicks."""

import numpy as np
import pytest

from kickgan.audio.descriptors import NAMES, decay_t20_ms, describe
from kickgan.metrics.descriptors import standardised_w1

SR = 16000


def synth_kick(f0, f1, sweep_s, decay_s, delay_s=0.01, click=0.0, sr=SR, seconds=1.0, seed=0):
    """A kick with pitch f(t) = f1 + (f0 - f1) exp(-t/sweep_s), amplitude exp(-t/decay_s), after delay_s of silence."""
    t = np.arange(int(seconds * sr)) / sr
    tk = np.clip(t - delay_s, 0, None)
    freq = f1 + (f0 - f1) * np.exp(-tk / sweep_s)
    y = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-tk / decay_s) * (t >= delay_s)
    if click:
        burst = (t >= delay_s) & (t < delay_s + 0.003)
        y = y + click * burst * np.random.default_rng(seed).standard_normal(len(t))
    return y.astype(np.float32), freq


def col(name):
    return NAMES.index(name)



@pytest.mark.parametrize("decay", [0.05, 0.2, 0.45])
def test_fitted_decay_extrapolates_past_the_clip_end(decay):
    """T20 of exp(-t/decay) is decay * ln(10), even when the clip ends before -20 dB (0.45 s: 1.04 s)."""
    y, _ = synth_kick(120, 50, 0.02, decay, seconds=0.5)
    assert decay_t20_ms(y[None], SR)[0] == pytest.approx(1000 * decay * np.log(10), rel=0.05)
    if decay == 0.45:  # the last-crossing measure stops at the clip's end
        assert describe(y[None], SR)[0, col("decay20_ms")] < 500


def test_fitted_decay_is_nan_for_silence_and_a_steady_tone():
    t = np.arange(SR // 2) / SR
    clips = np.stack([np.zeros_like(t), np.sin(2 * np.pi * 60 * t)]).astype(np.float32)
    out = decay_t20_ms(clips, SR)
    assert np.isnan(out[0]) and np.isnan(out[1])  # a steady tone never falls 3 dB: nothing to fit

@pytest.mark.parametrize("f0,f1,sweep,decay", [(200, 50, 0.03, 0.1), (150, 60, 0.02, 0.15), (300, 45, 0.015, 0.05)])
def test_descriptors_recover_body_frequency_and_decay(f0, f1, sweep, decay):
    y, freq = synth_kick(f0, f1, sweep, decay)
    d = describe(y[None], SR)[0]
    onset = int(0.01 * SR)
    assert d[col("body_hz_20ms")] == pytest.approx(freq[onset + int(0.020 * SR)], rel=0.03)
    assert d[col("body_hz_100ms")] == pytest.approx(freq[onset + int(0.100 * SR)], rel=0.03)
    drop = 12 * np.log2(freq[onset + int(0.020 * SR)] / freq[onset + int(0.100 * SR)])
    assert d[col("pitch_drop_st")] == pytest.approx(drop, abs=0.6)
    assert d[col("decay20_ms")] == pytest.approx(1000 * decay * np.log(10), rel=0.1)
    assert d[col("decay40_ms")] == pytest.approx(1000 * decay * np.log(100), rel=0.1)
    assert d[col("attack_ms")] < 5.0


def test_energy_ratios_sum_to_one_and_follow_the_body():
    low, _ = synth_kick(60, 50, 0.03, 0.2)
    high, _ = synth_kick(600, 400, 0.03, 0.2)
    d = describe(np.stack([low, high]), SR)
    ratios = d[:, [col("sub_ratio"), col("lowmid_ratio"), col("high_ratio")]]
    np.testing.assert_allclose(ratios.sum(axis=1), 1.0, atol=1e-4)
    assert d[0, col("sub_ratio")] > 0.9 and d[1, col("lowmid_ratio")] > 0.9
    assert d[1, col("centroid_hz")] > 5 * d[0, col("centroid_hz")]


def test_click_strength_rises_with_a_click_and_level_does_not_matter():
    plain, _ = synth_kick(200, 50, 0.03, 0.1)
    clicky, _ = synth_kick(200, 50, 0.03, 0.1, click=0.5)
    d = describe(np.stack([plain, clicky, 0.1 * clicky]), SR)
    assert d[1, col("click_db")] > d[0, col("click_db")] + 20
    np.testing.assert_allclose(d[2], d[1], rtol=1e-3, atol=1e-3)


def test_silent_clip_is_all_nan():
    d = describe(np.zeros((1, SR), np.float32), SR)
    assert np.isnan(d).all()


def test_standardised_w1_of_a_shift_by_one_std_is_one(rng):
    ref = rng.standard_normal((2000, 2)) * [1.0, 5.0] + [0.0, 100.0]
    gen = ref + ref.std(axis=0)
    np.testing.assert_allclose(standardised_w1(gen, ref), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(standardised_w1(ref, ref), [0.0, 0.0], atol=1e-12)
