"""kickgan.data.synth: determinism, parameter ranges, and that what is rendered is what the parameters say."""

import json

import numpy as np
import pytest
from scipy import signal

from kickgan.data.synth import RANGES, STYLES, draw_params, render, synthesize, write_synth
from kickgan.errors import ParameterError

SR = 16000


def measure_body(y: np.ndarray, sr: int, t0: float, seconds: float = 0.15) -> tuple[float, float]:
    """Frequency (Hz) and amplitude decay time constant (s) of the body of ``y [T]`` in ``[t0, t0 + seconds]``.

    Frequency: the Hann-windowed, zero-padded spectrum's peak, refined by a parabola.
    Decay: the slope of a line fitted to the log of the analytic-signal envelope.
    """
    a, b = int(t0 * sr), int((t0 + seconds) * sr)
    seg = y[a:b].astype(np.float64)
    n_fft = 1 << 18
    mag = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), n_fft))
    k = int(np.argmax(mag))
    l, c, r = np.log(mag[k - 1 : k + 2])
    freq = (k + 0.5 * (l - r) / (l - 2 * c + r)) * sr / n_fft
    env = np.abs(signal.hilbert(y.astype(np.float64)))[a:b]
    slope = np.polyfit(np.arange(len(env)) / sr, np.log(env), 1)[0]
    return freq, -1.0 / slope


def settled(p: dict) -> float:
    """A time by which the sweep, the click and the second mode are gone and the saturation is linear."""
    linear = p["decay"] * np.log(20 * p["drive"]) if p["drive"] > 0 else 0.0
    return max(7 / p["sweep_rate"], 12 * p["click_decay"], 6 * p["mode2_decay"], linear, 0.05)


@pytest.mark.parametrize("index", range(9))
def test_measured_body_frequency_and_decay_match_the_parameters(index):
    p = draw_params(seed=3, index=index)
    y = render(p, SR, 3 * SR)
    freq, tau = measure_body(y, SR, settled(p))
    assert freq == pytest.approx(p["f_end"], rel=0.005)
    assert tau == pytest.approx(p["decay"], rel=0.01)


def test_the_pitch_sweeps_down_from_f_start():
    p = draw_params(seed=0, index=0) | {"click_level": 0.0, "mode2_level": 0.0, "drive": 0.0, "sweep_rate": 20.0}
    y = render(p, SR, SR)
    phase = np.unwrap(np.angle(signal.hilbert(y.astype(np.float64))))
    inst = np.diff(phase) * SR / (2 * np.pi)
    t = 0.05  # instantaneous frequency at t follows f_end + (f_start - f_end) exp(-rate t)
    expected = p["f_end"] + (p["f_start"] - p["f_end"]) * np.exp(-20.0 * t)
    assert inst[int(t * SR)] == pytest.approx(expected, rel=0.03)


def test_same_seed_same_kicks_and_kick_i_independent_of_n():
    a, pa = synthesize(5, seed=7, sr=SR, length=4000)
    b, pb = synthesize(5, seed=7, sr=SR, length=4000)
    np.testing.assert_array_equal(a, b)
    assert pa == pb
    c, _ = synthesize(2, seed=7, sr=SR, length=4000)
    np.testing.assert_array_equal(c, a[:2])
    d, _ = synthesize(5, seed=8, sr=SR, length=4000)
    assert not np.allclose(a, d)
    assert a.shape == (5, 4000) and a.dtype == np.float32
    np.testing.assert_allclose(np.abs(a).max(axis=1), 0.9, rtol=1e-6)


def test_write_synth_is_byte_identical(tmp_path):
    write_synth(tmp_path / "a", 4, seed=11, sr=SR, length=3000)
    write_synth(tmp_path / "b", 4, seed=11, sr=SR, length=3000)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["kick_11_00000.wav", "kick_11_00001.wav", "kick_11_00002.wav", "kick_11_00003.wav",
                     "params.jsonl", "synth.json"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_params_manifest_round_trip(tmp_path):
    write_synth(tmp_path, 3, seed=2, sr=SR, length=3000)
    records = [json.loads(line) for line in (tmp_path / "params.jsonl").read_text().splitlines()]
    for i, rec in enumerate(records):
        assert rec.pop("file") == f"kick_2_{i:05d}.wav"
        assert rec == draw_params(2, i)


def test_parameters_lie_in_their_style_ranges():
    params = [draw_params(0, i) for i in range(60)]
    assert {p["style"] for p in params} == set(STYLES)
    for p in params:
        r = RANGES[p["style"]]
        for name in ("f_end", "sweep_rate", "attack", "decay", "click_level", "drive"):
            lo, hi = r[name]
            assert lo <= p[name] <= hi, (p["style"], name)
        ratio = p["f_start"] / p["f_end"]
        assert r["f_ratio"][0] <= ratio <= r["f_ratio"][1]


def test_bad_parameters():
    with pytest.raises(ParameterError, match="n must"):
        synthesize(-1, 0)
    with pytest.raises(ParameterError, match="sr"):
        synthesize(1, 0, sr=1000)
    with pytest.raises(ParameterError, match="length"):
        synthesize(1, 0, length=0)
