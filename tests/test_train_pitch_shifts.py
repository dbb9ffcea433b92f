"""Pitch-shifted copies of the training kicks: a known sine moves by the octave and decays twice as fast."""

import numpy as np
import pytest

from kickgan.config import load_config
from kickgan.errors import KickganError
from kickgan.train.data import with_pitch_shifts

SR, T = 8000, 4096


def decaying_sine(hz: float, tau_s: float) -> np.ndarray:
    t = np.arange(T) / SR
    y = np.sin(2 * np.pi * hz * t) * np.exp(-t / tau_s)
    y[:8] *= np.linspace(0, 1, 8)  # a short attack, like a prepared clip's
    return (y / np.abs(y).max()).astype(np.float32)


def peak_hz(y: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / SR)[np.argmax(spectrum)])


def decay_time_s(y: np.ndarray, db: float = -20.0) -> float:
    """When the running peak envelope last stands above ``db`` of the peak."""
    env = np.maximum.accumulate(np.abs(y)[::-1])[::-1]
    return float(np.nonzero(env >= 10 ** (db / 20))[0][-1] / SR)


def test_an_octave_up_doubles_the_pitch_and_halves_the_decay():
    clips = np.stack([decaying_sine(100.0, 0.08), decaying_sine(60.0, 0.12)])
    out = with_pitch_shifts(clips, SR, (12.0, -12.0))
    assert out.shape == (6, T) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:2], clips)  # the originals first, untouched
    up, down = out[2], out[4]
    assert peak_hz(up) == pytest.approx(200.0, abs=4) and peak_hz(down) == pytest.approx(50.0, abs=4)
    assert decay_time_s(up) == pytest.approx(decay_time_s(clips[0]) / 2, rel=0.05)
    assert decay_time_s(down) == pytest.approx(decay_time_s(clips[0]) * 2, rel=0.05)
    assert np.abs(out).max(axis=1) == pytest.approx(1.0)  # peak-normalised like dataset clips


def test_no_shifts_is_the_clips_and_a_shift_out_of_range_is_named():
    clips = np.stack([decaying_sine(100.0, 0.08)] * 2)
    np.testing.assert_array_equal(with_pitch_shifts(clips, SR, ()), clips)
    with pytest.raises(KickganError, match=r"pitch_shifts: must be in \[-12, 12\]"):
        load_config("tiny", ["pitch_shifts=[13]"])


def test_a_run_trains_on_the_kicks_and_their_shifted_copies(tmp_path):
    from kickgan.train import train

    cfg = load_config("tiny", ["steps=1", "data=synth:8", "pitch_shifts=[-1, 1]", "preview_every=1", "device=cpu"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    assert "synth:8: 24 train / 8 val kicks" in (run / "log.txt").read_text()
