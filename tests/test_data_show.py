"""kickgan.data.show and the ``kickgan data`` command line: synth -> build -> show."""

import numpy as np
import pytest

from kickgan.audio.descriptors import decay_ms, envelope
from kickgan.cli.main import main as cli
from kickgan.data.show import clip_stats
from kickgan.errors import ParameterError


def test_decay_40db_known_answer():  # what data show reports as decay_40db_s
    sr, tau = 16000, 0.1
    t = np.arange(sr) / sr
    y = (np.exp(-t / tau) * np.sin(2 * np.pi * 500 * t))[None].astype(np.float32)
    seconds = decay_ms(envelope(y, sr), sr, 40.0)[0] / 1000
    assert seconds == pytest.approx(tau * np.log(100), abs=0.006)  # -40 dB = a factor 100


def test_clip_stats_known_answers():
    sr = 16000
    t = np.arange(sr) / sr
    y = np.stack([0.5 * np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 1000 * t)]).astype(np.float32)
    stats = clip_stats(y, sr)
    assert stats["peak"]["min"] == pytest.approx(0.5, abs=1e-3) and stats["peak"]["max"] == pytest.approx(1.0, abs=1e-3)
    assert stats["centroid_hz"]["median"] == pytest.approx(1000, rel=1e-3)
    assert stats["rms_db"]["max"] == pytest.approx(-3.01, abs=0.01)
    with pytest.raises(ParameterError):
        clip_stats(np.zeros((0, 10), np.float32), sr)


def test_synth_build_show_from_the_command_line(tmp_path, capsys):
    assert cli(["data", "synth", "--n", "6", "--out", str(tmp_path / "s"), "--seed", "1", "--sr", "16000",
                "--seconds", "0.5"]) == 0
    assert cli(["data", "build", str(tmp_path / "s"), "--out", str(tmp_path / "ds"), "--length", "4096"]) == 0
    out = capsys.readouterr().out
    assert "6 kick files read: 6 kept, 0 rejected" in out and "split by FILE" in out
    assert cli(["data", "show", str(tmp_path / "ds"), "--n", "3"]) == 0
    out = capsys.readouterr().out
    assert "train: 4 clips from 1 kits" in out and "centroid_hz" in out
    png = (tmp_path / "ds" / "examples.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli(["data", "show", str(tmp_path / "s"), "--png", str(tmp_path / "s.png")]) == 0
    assert "6 audio files" in capsys.readouterr().out and (tmp_path / "s.png").stat().st_size > 1000


@pytest.mark.parametrize("argv", [
    ["data"], ["data", "nope"], ["data", "synth", "--n", "x", "--out", "o"], ["data", "synth", "--n", "0", "--out", "o"],
    ["data", "build", "--out", "o"], ["data", "show"],
])
def test_bad_arguments_are_one_line_errors_with_exit_code_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        cli(argv)
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("sub", ["synth", "build", "open-kicks", "show"])
def test_help_has_examples(sub, capsys):
    with pytest.raises(SystemExit) as info:
        cli(["data", sub, "--help"])
    assert info.value.code == 0
    assert f"kickgan data {sub}" in capsys.readouterr().out.split("examples:")[1]
