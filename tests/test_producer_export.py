"""Finishing and writing kicks: rate, bit depth, level, lead, tail, sidecars, no overwrite."""

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
    trim_lead,
    write_kick,
)

SR = 16000


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
    assert len(y) == pytest.approx((len(kick) - 0.02 * SR) * 44100 / SR, abs=0.002 * 44100)  # lead cut to <= 1 ms
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


def test_trim_lead_keeps_an_early_attack_untouched():
    y = np.zeros(100, np.float32)
    y[5] = 1.0
    out = trim_lead(y, 16000)
    assert len(out) == 100 and out[5] == 1.0 and out[0] == 0.0


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
