"""DSP shaping of a decoded kick (kickgan.producer.shaping): known answers on a synthetic kick."""

import numpy as np
import pytest

from kickgan.audio.descriptors import NAMES, click_strength, decay_t20_ms, describe, onsets
from kickgan.producer.shaping import set_click, set_decay, shape, shift_body

SR = 16000


def kick(t60_ms=300.0, f0=60.0, click_level=0.05):
    """A body at ``f0`` Hz (a short glide down from 2 ``f0``) decaying by 60 dB in ``t60_ms``, plus a 3 ms noise click."""
    t = np.arange(8192) / SR
    freq = f0 * (1 + np.exp(-t / 0.015))
    env = 10 ** (-3 * t / (t60_ms / 1000))
    y = env * np.sin(2 * np.pi * np.cumsum(freq) / SR)
    noise = np.random.default_rng(0).standard_normal(len(t)) * (t < 0.003) * click_level
    y = y + noise
    y[:16] *= np.linspace(0, 1, 16)
    return y.astype(np.float32)


def body_hz(y):
    d = describe(y[None], SR)[0]
    return d[NAMES.index("body_hz_20ms")], d[NAMES.index("body_hz_100ms")]


def test_shift_body_moves_the_body_frequency_by_its_ratio_one_way_and_keeps_the_decay():
    y = kick()
    ratios = [0.5, 0.8, 1.0, 1.25, 2.0]
    hz = np.array([body_hz(shift_body(y, SR, r)) for r in ratios])  # [ratio, (20 ms, 100 ms)]
    assert (np.diff(hz, axis=0) > 0).all()  # strictly one way at both times
    assert hz[:, 0] / hz[2, 0] == pytest.approx(ratios, rel=0.08)  # at 20 ms, where the body is loud
    assert hz[3:, 1] / hz[2, 1] == pytest.approx(ratios[3:], rel=0.02)  # raised: exact even at 100 ms
    for r in ratios:
        assert decay_t20_ms(shift_body(y, SR, r)[None], SR)[0] == pytest.approx(decay_t20_ms(y[None], SR)[0], rel=0.05)


@pytest.mark.parametrize("factor", [0.5, 0.75, 1.25, 1.5])  # x2 would need +50 dB at the clip's end: capped
def test_set_decay_hits_its_target_t20(factor):
    y = kick()
    target = factor * decay_t20_ms(y[None], SR)[0]
    assert decay_t20_ms(set_decay(y, SR, target)[None], SR)[0] == pytest.approx(target, rel=0.05)


@pytest.mark.parametrize("factor", [1.5, 2.0, 4.0])
def test_a_longer_decay_of_a_ringing_kick_never_lifts_its_tail_above_its_attack(factor):
    """A kick still 12 dB below its peak at the clip's end: a longer decay is capped where the tail would
    reach the peak, so the peak stays the attack and the decay gets longer (or stays), never shorter."""
    y = kick(t60_ms=2000.0)
    peak = int(np.argmax(np.abs(y)))
    before = decay_t20_ms(y[None], SR)[0]
    out = set_decay(y, SR, factor * before)
    assert int(np.argmax(np.abs(out))) == peak
    assert np.abs(out[int(0.05 * SR):]).max() < np.abs(out[: int(0.05 * SR)]).max()
    assert decay_t20_ms(out[None], SR)[0] >= before


@pytest.mark.parametrize("change_db", [-6.0, -3.0, 3.0, 6.0])
def test_set_click_hits_its_target_and_leaves_the_body(change_db):
    y = kick()
    before = click_strength(y[None], SR, onsets(y[None]))[0]
    out = set_click(y, SR, before + change_db)
    assert click_strength(out[None], SR, onsets(out[None]))[0] == pytest.approx(before + change_db, abs=0.3)
    assert body_hz(out)[1] == pytest.approx(body_hz(y)[1], rel=0.01)
    assert np.array_equal(out[int(0.05 * SR):], y[int(0.05 * SR):])  # only the attack is touched


def test_shape_moves_each_descriptor_by_its_own_amount_and_holds_the_others():
    y = kick()
    assert shape(y, SR) is not None and np.array_equal(shape(y, SR), y)  # nothing asked: the same samples

    def measure(x):
        return np.array([np.log2(body_hz(x)[1]), np.log2(decay_t20_ms(x[None], SR)[0]),
                         click_strength(x[None], SR, onsets(x[None]))[0]])

    base = measure(y)
    for k, amounts in enumerate(({"pitch": 0.5}, {"decay": 0.5}, {"click": 4.0})):
        change = measure(shape(y, SR, **amounts)) - base
        wanted = np.zeros(3)
        wanted[k] = list(amounts.values())[0]
        assert change == pytest.approx(wanted, abs=0.06 if k < 2 else 0.3), amounts
