"""Atomic writes and audio reading."""

import os
import stat

import numpy as np
import pytest

from kickgan import io
from kickgan.errors import KickganError


def test_atomic_path_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "result.json"
    io.write_json(target, {"fd": 1.5})
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half a fi")
            raise RuntimeError("crash mid-write")
    assert io.read_json(target) == {"fd": 1.5}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_wav_round_trip_float(tmp_path):
    y = np.sin(np.linspace(0, 100, 1000, dtype=np.float32)) * 0.5
    io.write_wav(tmp_path / "k.wav", y, 16000, subtype="FLOAT")
    back, sr = io.read_audio(tmp_path / "k.wav")
    assert sr == 16000 and back.shape == (1, 1000)
    np.testing.assert_array_equal(back[0], y)


def test_read_audio_names_the_file_and_reason(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(KickganError, match=r"empty\.wav: empty file"):
        io.read_audio(empty)
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(KickganError, match=r"notes\.wav: cannot read audio"):
        io.read_audio(text)
    with pytest.raises(KickganError, match="no such file"):
        io.read_audio(tmp_path / "missing.wav")


def test_jsonl_skips_a_torn_last_line(tmp_path):
    path = tmp_path / "stats.jsonl"
    io.append_jsonl(path, {"step": 1})
    io.append_jsonl(path, {"step": 2})
    with path.open("a") as f:
        f.write('{"step": 3, "loss')
    assert io.read_jsonl(path) == [{"step": 1}, {"step": 2}]


def test_read_yaml_mapping_names_the_file_and_the_problem(tmp_path):
    good = tmp_path / "c.yaml"
    good.write_text("name: x\nsteps: 3\n")
    assert io.read_yaml_mapping(good, "config") == {"name": "x", "steps": 3}
    with pytest.raises(KickganError, match=r"missing\.yaml: no such config file"):
        io.read_yaml_mapping(tmp_path / "missing.yaml", "config")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(KickganError, match=r"bad\.yaml: not valid YAML"):
        io.read_yaml_mapping(bad, "config")
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(KickganError, match=r"list\.yaml: expected a mapping of experiment options"):
        io.read_yaml_mapping(listing, "experiment")


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_honour_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        io.write_json(tmp_path / "a.json", {"x": 1})
        io.write_wav(tmp_path / "k.wav", np.zeros(100, dtype=np.float32), 16000)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "k.wav").stat().st_mode) == mode


def test_an_exclusive_write_never_replaces_a_file_written_meanwhile(tmp_path):
    target = tmp_path / "kick.json"
    with pytest.raises(KickganError, match=r"kick\.json: already exists \(another process"):
        with io.atomic_path(target, exclusive=True) as tmp:
            tmp.write_text("mine")
            target.write_text("theirs")  # another process claims the name while this one writes
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kick.json"]
    io.write_json(tmp_path / "new.json", {"a": 1}, exclusive=True)
    assert io.read_json(tmp_path / "new.json") == {"a": 1}


def test_read_audio_refuses_a_folder_or_a_pipe_by_name(tmp_path):
    (tmp_path / "x.wav").mkdir()
    with pytest.raises(KickganError, match=r"x\.wav: is a folder, not an audio file"):
        io.read_audio(tmp_path / "x.wav")
    os.mkfifo(tmp_path / "pipe.wav")  # opening it would block forever
    with pytest.raises(KickganError, match=r"pipe\.wav: not a regular file"):
        io.read_audio(tmp_path / "pipe.wav")
