"""kickgan.audio.preprocess: onset alignment, resampling, fixed length and fade, normalisation."""

import numpy as np
import pytest

from kickgan.audio.preprocess import (
    LOUDNESS_DB,
    align_onset,
    finish_edges,
    find_onset,
    fix_length,
    normalize,
    prepare_clip,
    remove_dc,
    resample,
    to_mono,
    to_rate_and_length,
)
from kickgan.errors import ParameterError


def burst(n_silence: int, n: int, sr: int, f: float = 60.0, tau: float = 0.1) -> np.ndarray:
    """``n_silence`` zeros, then a decaying cosine (full amplitude at its first sample)."""
    t = np.arange(n) / sr
    return np.concatenate([np.zeros(n_silence), np.cos(2 * np.pi * f * t) * np.exp(-t / tau)]).astype(np.float32)


def test_find_onset_on_known_onset():
    y = burst(1234, 4000, 16000)
    assert find_onset(y) == 1234
    assert find_onset(np.zeros(100, np.float32)) == 0


def test_align_onset_keeps_the_pre_roll():
    sr = 16000
    y = align_onset(burst(5000, 4000, sr), sr, pre_roll_ms=2.0)
    assert find_onset(y) == 32  # 2 ms at 16 kHz
    assert len(y) == 4000 + 32
    early = burst(10, 4000, sr)  # onset already within the pre-roll: unchanged
    np.testing.assert_array_equal(align_onset(early, sr, pre_roll_ms=2.0), early)


def test_prepare_clip_puts_the_onset_at_the_pre_roll_after_resampling():
    y = burst(int(0.3 * 44100), 20000, 44100)
    out = prepare_clip(y, 44100, 16000, 8192)
    assert abs(find_onset(out) - 32) <= 2


@pytest.mark.parametrize("sr, target_sr", [(44100, 16000), (48000, 22050), (22050, 44100), (16000, 48000), (96000, 44100)])
def test_resampling_keeps_frequency_and_level(sr, target_sr):
    f = 1000.0
    t = np.arange(sr) / sr  # one second
    y = (0.5 * np.sin(2 * np.pi * f * t)).astype(np.float32)
    out = resample(y, sr, target_sr)
    assert out.dtype == np.float32
    assert len(out) == target_sr
    mid = out[target_sr // 4 : 3 * target_sr // 4]
    spectrum = np.abs(np.fft.rfft(mid * np.hanning(len(mid))))
    peak_hz = np.argmax(spectrum) * target_sr / len(mid)
    assert abs(peak_hz - f) <= target_sr / len(mid)
    assert np.sqrt(np.mean(mid**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_resample_same_rate_is_identity():
    y = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    np.testing.assert_array_equal(resample(y, 16000, 16000), y)


def test_fix_length_cuts_with_a_fade_out():
    sr = 16000
    y = np.ones(10000, np.float32)
    out = fix_length(y, 4000, sr, fade_ms=10.0)
    n_fade = 160
    assert out.shape == (4000,)
    np.testing.assert_array_equal(out[: 4000 - n_fade], 1.0)
    assert out[-1] == pytest.approx(0.0, abs=1e-7)
    assert np.all(np.diff(out[-n_fade:]) <= 0)  # falls monotonically


def test_fix_length_pads_with_zeros_after_fading_the_content():
    sr = 16000
    y = np.ones(1000, np.float32)
    out = fix_length(y, 4000, sr, fade_ms=10.0)
    np.testing.assert_array_equal(out[1000:], 0.0)
    np.testing.assert_array_equal(out[:840], 1.0)
    assert out[999] == pytest.approx(0.0, abs=1e-7)


def test_to_rate_and_length_resamples_then_pads_each_clip():
    t = np.arange(8000) / 16000
    clips = np.stack([np.sin(2 * np.pi * 100 * t), np.sin(2 * np.pi * 200 * t)]).astype(np.float32)
    assert to_rate_and_length(clips, 16000, 16000, 8000) is clips  # nothing to do
    out = to_rate_and_length(clips, 16000, 44100, 44100)  # 0.5 s of content in a 1 s clip
    assert out.shape == (2, 44100) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 22050:], 0.0)
    spectrum = np.abs(np.fft.rfft(out[1, :22050]))
    assert np.argmax(spectrum) * 44100 / 22050 == pytest.approx(200, abs=2)  # the same tone at the new rate


def test_normalize_peak_and_loudness():
    y = 0.01 * np.sin(np.linspace(0, 200, 8000)).astype(np.float32)
    assert np.abs(normalize(y, "peak")).max() == pytest.approx(1.0)
    loud = normalize(y, "loudness")
    assert 10 * np.log10(np.mean(loud.astype(np.float64) ** 2)) == pytest.approx(LOUDNESS_DB, abs=0.01)
    spiky = np.zeros(8000, np.float32)
    spiky[10] = 0.5  # a lone spike cannot reach -20 dB RMS without exceeding full scale
    assert np.abs(normalize(spiky, "loudness")).max() == pytest.approx(1.0)
    np.testing.assert_array_equal(normalize(np.zeros(10, np.float32), "peak"), 0.0)


def test_mono_and_dc():
    x = burst(0, 1000, 16000)
    np.testing.assert_allclose(to_mono(np.stack([x, x])), x, atol=1e-7)
    assert abs(remove_dc(x + 0.3).mean()) < 1e-6


def test_prepare_clip_shape_range_and_stereo():
    rng = np.random.default_rng(1)
    y = np.stack([burst(300, 30000, 48000), 0.5 * burst(300, 30000, 48000)]) + 0.001 * rng.standard_normal((2, 30300))
    out = prepare_clip(y, 48000, 16000, 16384)
    assert out.shape == (16384,) and out.dtype == np.float32
    assert np.abs(out).max() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"length": 0}, "length"),
        ({"target_sr": 0}, "target_sr"),
        ({"sr": -1}, "sr"),
        ({"normalize": "rms"}, "normalize"),
    ],
)
def test_prepare_clip_bad_parameters(kwargs, match):
    args = {"y": np.ones(100, np.float32), "sr": 16000, "target_sr": 16000, "length": 100} | kwargs
    with pytest.raises(ParameterError, match=match):
        prepare_clip(**args)


def test_prepare_clip_refuses_bad_shapes():
    with pytest.raises(ParameterError, match="shape"):
        prepare_clip(np.ones((2, 2, 10), np.float32), 16000, 16000, 10)
    with pytest.raises(ParameterError, match="empty"):
        prepare_clip(np.ones(0, np.float32), 16000, 16000, 10)


def test_finish_edges_keeps_the_length_and_removes_both_steps():
    """A decoded wave that starts at full level (its attack cut by the clip's start), behind 3 ms of
    near-silence, with a DC offset: it comes back as long, starting and ending at exactly 0, its
    attack moved to within 1 ms of the start and the wave after the 0.5 ms fade untouched."""
    sr = 44100
    t = np.arange(int(0.2 * sr)) / sr
    body = np.sin(2 * np.pi * 60 * t + np.pi / 2) * np.exp(-t / 0.05)  # starts at its peak
    y = np.concatenate([np.full(int(0.003 * sr), 1e-4), body]).astype(np.float32) + 0.02
    out = finish_edges(y, sr)
    assert out.shape == y.shape and out.dtype == np.float32
    assert out[0] == 0.0 and out[-1] == 0.0
    assert np.argmax(np.abs(out) >= 0.01 * np.abs(out).max()) <= 0.001 * sr
    shift = int(np.argmax(np.abs(y - y.mean()))) - int(np.argmax(np.abs(out)))
    assert shift >= int(0.002 * sr)  # most of the lead is cut
    after_fade = slice(int(np.argmax(np.abs(out))) + int(0.0005 * sr), 4000)
    np.testing.assert_allclose(out[after_fade], (y - y.mean())[after_fade.start + shift : 4000 + shift], atol=1e-6)
