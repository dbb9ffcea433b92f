"""Band energies, attack and decay in the evaluation: known answers, absent bands, band-limited counts."""

import json

import numpy as np
import pytest

from kickgan.metrics.artefacts import clip_power
from kickgan.metrics.bands import bands_metric, n_band_limited
from kickgan.metrics.descriptors import NAMES, band_levels_db, describe, descriptors_metric
from kickgan.metrics.features import Features, with_band_limits

SR = 44100


def kick_with_click(click_db: float, air_db: float, sr: int = SR, seed: int = 0) -> np.ndarray:
    """A 60 Hz body (exp decay, 0.15 s) plus a 6 kHz beater and a 12 kHz air burst (Hann, 8 ms)
    whose energies are ``click_db`` and ``air_db`` relative to the body's."""
    t = np.arange(int(0.5 * sr)) / sr
    body = np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.15)
    n = int(0.008 * sr)
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi, 2)
    bursts = []
    for f, level in ((6000, click_db), (12000, air_db)):
        b = np.zeros_like(t)
        b[:n] = np.hanning(n) * np.sin(2 * np.pi * f * t[:n] + phase[len(bursts)])
        bursts.append(b * np.sqrt(10 ** (level / 10) * (body**2).sum() / (b**2).sum()))
    return (body + bursts[0] + bursts[1]).astype(np.float32)


def features(clips: np.ndarray, sr: int = SR, band_limit_hz=None) -> Features:
    """What the band and descriptor metrics read (the embedding parts are left empty)."""
    n = len(clips)
    empty = np.zeros((n, 1), np.float32)
    feats = Features([f"k{i}" for i in range(n)], sr, empty, empty, describe(clips, sr), clip_power(clips), empty,
                     band_levels_db(clips, sr), np.zeros((n, 3)))
    return with_band_limits(feats, band_limit_hz)


def test_band_levels_of_a_kick_with_a_known_click_and_air():
    y = kick_with_click(-30.0, -45.0)
    levels = band_levels_db(y[None], SR)[0]
    total_db = 10 * np.log10(1 + 10**-3 + 10**-4.5)  # the whole kick: body + click + air
    assert levels == pytest.approx([-total_db, -30.0 - total_db, -45.0 - total_db], abs=0.3)


def test_a_band_above_the_nyquist_is_absent_and_reported_as_null():
    y = kick_with_click(-30.0, -45.0, sr=16000)  # the 12 kHz burst folds to 4 kHz; 8-16 kHz is not there
    levels = band_levels_db(y[None], 16000)[0]
    assert np.isfinite(levels[:2]).all() and np.isnan(levels[2])
    out = bands_metric(features(np.stack([y, y]), 16000), features(np.stack([y, y]), 16000))
    assert out["band/8-16k/median_db"] is None and out["band/8-16k/w1"] is None
    assert out["band/4-8k/median_db"] == pytest.approx(-30.0, abs=0.5)
    json.dumps(out, allow_nan=False)  # null, never NaN


def test_metric_reports_medians_distance_share_inside_and_band_limited_counts():
    levels = [(-38.0, -43.0), (-40.0, -45.0), (-42.0, -47.0), (-40.0, -45.0)]
    ref = np.stack([kick_with_click(c, a, seed=i) for i, (c, a) in enumerate(levels)])
    gen = np.stack([kick_with_click(-30.0, -45.0, seed=i) for i in range(3)])
    out = bands_metric(features(gen, band_limit_hz=[11025.0, 22050.0, 22050.0]), features(ref))
    assert out["band/4-8k/median_db"] == pytest.approx(-30.0, abs=0.3)
    assert out["band/4-8k/ref_median_db"] == pytest.approx(-40.0, abs=0.3)
    assert out["band/4-8k/w1"] > 5  # 10 dB off, the reference's spread is about 1.4 dB
    assert out["band/4-8k/in_ref_p10_p90"] == 0.0 and out["band/8-16k/in_ref_p10_p90"] == 1.0  # -45 in -47..-43
    assert out["band/n_band_limited"] == 1  # the clip that came from 22.05 kHz
    assert out["band/n_band_limited_ref"] is None  # not known
    assert n_band_limited(np.array([8000.0, 4000.0]), 16000) == 1  # at 16 kHz the top band ends at 8 kHz


def test_attack_and_decay_medians_of_a_known_ramp_and_exponential_decay():
    """A linear rise over 20 ms then exp(-t / 0.1 s): 10-90 % attack 16 ms, -40 dB after 0.1 ln(100) s."""
    t = np.arange(int(0.74 * SR)) / SR
    env = np.where(t < 0.02, t / 0.02, np.exp(-(t - 0.02) / 0.1))
    clips = np.stack([env * np.sin(2 * np.pi * f * t) for f in (55, 200, 1000)]).astype(np.float32)
    d = describe(clips, SR)
    assert d[:, NAMES.index("attack_ms")] == pytest.approx([16.0] * 3, rel=0.1)  # the 5 ms smoothing costs < 10 %
    assert d[:, NAMES.index("decay40_ms")] == pytest.approx([100 * np.log(100)] * 3, rel=0.02)
    out = descriptors_metric(features(clips), features(clips[:1]))
    assert out["desc/median/attack_ms"] == pytest.approx(16.0, rel=0.1)
    assert out["desc/ref_median/decay40_ms"] == pytest.approx(100 * np.log(100), rel=0.02)
