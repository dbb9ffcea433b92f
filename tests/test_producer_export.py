"""Finishing and writing kicks: rate, bit depth, level, lead, tail, sidecars, no overwrite."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from kickgan.data.synth import draw_params, render
from kickgan.errors import KickganError, ParameterError
from kickgan.producer.export import (
    ExportOptions,
    check_free,
    check_seeds_free,
    finish,
    kick_name,
    read_sidecar,
    set_level,
    write_kick,
)
from kickgan.audio.preprocess import trim_lead

SR = 16000
TEST_MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"


@pytest.fixture
def kick() -> np.ndarray:
    """A synthesised kick at 16 kHz behind 20 ms of silence, with a DC offset."""
    y = render(draw_params(0, 1), SR, 8000)
    return np.concatenate([np.zeros(int(0.02 * SR), np.float32), y]) + 0.05


@pytest.mark.parametrize("bit_depth, subtype", [("16", "PCM_16"), ("24", "PCM_24"), ("32f", "FLOAT")])
def test_written_file_has_the_requested_format_and_level(tmp_path, kick, bit_depth, subtype):
    opts = ExportOptions(sr=44100, bit_depth=bit_depth)
    write_kick(tmp_path / "k.wav", finish(kick, SR, opts), opts, {"seed": 1})
    info = sf.info(tmp_path / "k.wav")
    assert (info.samplerate, info.channels, info.subtype) == (44100, 1, subtype)
    y, _ = sf.read(tmp_path / "k.wav", dtype="float64")
    assert np.isfinite(y).all()
    assert 20 * np.log10(np.abs(y).max()) == pytest.approx(-1.0, abs=0.01)
    assert len(y) == round(len(kick) * 44100 / SR)  # the clip's length: the lead cut, zeros after the tail
    assert np.abs(y[-int(0.019 * 44100) :]).max() < 1e-4  # (16-bit dither aside)
    onset = np.argmax(np.abs(y) >= np.abs(y).max() * 10 ** (-40 / 20))
    assert onset <= 0.001 * 44100
    assert abs(y.mean()) < 1e-3 * np.abs(y).max()  # DC removed
    assert y[0] == 0.0 and y[-1] == 0.0  # faded in over the kept lead, faded out at the tail


def test_loudness_target_sets_rms_but_never_exceeds_the_peak_ceiling():
    y = np.sin(np.linspace(0, 200 * np.pi, 16000)).astype(np.float32) * 0.1
    out = set_level(y, peak_db=-1.0, loudness_db=-20.0)
    assert 20 * np.log10(np.sqrt(np.mean(out.astype(np.float64) ** 2))) == pytest.approx(-20.0, abs=0.01)
    loud = set_level(y, peak_db=-1.0, loudness_db=-1.0)  # a sine cannot reach -1 dB RMS under a -1 dB peak
    assert 20 * np.log10(np.abs(loud).max()) == pytest.approx(-1.0, abs=0.01)
    assert not set_level(np.zeros(10, np.float32)).any()


def test_trim_lead_keeps_an_attack_after_the_shortest_fade_untouched():
    y = np.zeros(100, np.float32)
    y[20] = 1.0  # 1.25 ms in at 16 kHz: the lead is cut to 1 ms (16 samples) and faded in over it
    out = trim_lead(y, 16000)
    assert len(out) == 96 and out[16] == 1.0 and out[0] == 0.0


def _steps(y: np.ndarray, sr: int) -> tuple[float, float, float, float]:
    """First and last sample, and the largest sample-to-sample jump in the first and last ms, over the peak."""
    peak, n = np.abs(y).max(), int(0.001 * sr)
    return (abs(y[0]) / peak, abs(y[-1]) / peak, np.abs(np.diff(y[:n])).max() / peak, np.abs(np.diff(y[-n:])).max() / peak)


def test_a_wave_loud_at_its_first_sample_is_faded_in_without_a_step():
    """Known answer: a 50 Hz cosine at full level from sample 0 (a model wave with no lead) starts
    at exactly zero after finishing, rises over 0.5 ms (22 samples at 44.1 kHz) and ends at zero."""
    t = np.arange(8192) / SR
    y = (np.exp(-t / 0.2) * np.cos(2 * np.pi * 50 * t)).astype(np.float32)  # y[0] = 1 = the peak
    out = finish(y, SR, ExportOptions(sr=44100))
    first, last, jump_in, jump_out = _steps(out, 44100)
    assert first <= 10 ** (-40 / 20) and last <= 10 ** (-40 / 20)
    # a half-cosine fade over n samples moves by at most pi / (2 n) = 0.07 of the wave's level per
    # sample (the resampler's ripple at the wave's start adds a little); a step would jump by ~1
    assert jump_in <= 0.1 and jump_out <= 0.01
    assert np.abs(out[22:100]).min() > 0.5 * np.abs(out).max()  # after the fade: the wave itself
    old = trim_lead(y, SR, fade_in_ms=0.0)  # without the shortest fade, the step stays
    assert old[0] == y[0]


def test_kicks_of_the_test_model_never_pop(tmp_path):
    """Kicks from the committed test model (it makes waves with energy at sample 0) written by
    ``generate``: every file starts at <= -40 dB of its peak and has no step at either end."""
    from kickgan.producer.generate import generate
    from kickgan.sampler import KickSampler

    sampler = KickSampler.from_checkpoint(TEST_MODEL)
    raw = np.asarray(sampler.generate(list(range(16)), raw=True), np.float32).reshape(16, -1)
    assert (np.abs(raw[:, 0]) > 0.1 * np.abs(raw).max(axis=1)).mean() > 0.5  # the model's waves do pop
    kicks = sampler.generate(list(range(16)))  # as the evaluation and the experiment score them
    assert kicks.shape == raw.shape and (kicks[:, 0] == 0).all() and (kicks[:, -1] == 0).all()
    for path in generate(sampler, list(range(16)), tmp_path, ExportOptions(sr=44100, bit_depth="32f")):
        y, sr = sf.read(path, dtype="float64")
        first, last, jump_in, jump_out = _steps(y, sr)
        assert first <= 10 ** (-40 / 20) and last <= 10 ** (-40 / 20), path.name
        assert jump_in <= 0.08 and jump_out <= 0.01, path.name


def test_bad_options_are_parameter_errors():
    with pytest.raises(ParameterError, match="--bit-depth"):
        ExportOptions(bit_depth="8")
    with pytest.raises(ParameterError, match="--sr"):
        ExportOptions(sr=100)
    with pytest.raises(ParameterError, match="--peak-db"):
        ExportOptions(peak_db=3.0)


def test_names_sidecars_and_refusing_to_overwrite(tmp_path):
    assert kick_name(42) == "kick_s000042"
    opts = ExportOptions(sr=22050, bit_depth="24")
    path = tmp_path / f"{kick_name(42)}.wav"
    write_kick(path, np.zeros(100, np.float32), opts, {"checkpoint_hash": "abc", "seed": 42, "latent": [0.5, -1.0]})
    record = read_sidecar(path)  # the .wav finds its .json
    assert record["seed"] == 42 and record["latent"] == [0.5, -1.0] and record["export"]["bit_depth"] == "24"
    with pytest.raises(KickganError, match=r"kick_s000042.wav: already exists \(use --force"):
        check_free([path, path.with_suffix(".json")], force=False)
    check_free([path], force=True)
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    with pytest.raises(KickganError, match="not a kickgan kick sidecar"):
        read_sidecar(tmp_path / "other.json")


def test_seeds_free_reads_the_folder_once_for_any_number_of_seeds(tmp_path):
    for name in ("kick_s000007.json", "kick_s1234567.wav", "kick_s0000003.wav", "notes.txt"):
        (tmp_path / name).write_text("x")
    check_seeds_free(tmp_path, range(8, 1_234_567), force=False)
    check_seeds_free(tmp_path, range(1_234_568, 10**12), force=False)  # a trillion seeds: instant
    check_seeds_free(tmp_path, [3, 5], force=False)  # kick_s0000003 is not seed 3's file
    with pytest.raises(KickganError, match=r"kick_s000007\.json: already exists \(use --force to overwrite; 1 more"):
        check_seeds_free(tmp_path, range(10**7), force=False)
    check_seeds_free(tmp_path, range(10**7), force=True)
