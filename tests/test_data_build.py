"""kickgan.data.build and kickgan.data.dataset: a messy corpus in, a clean dataset out, and back."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from test_data_quality import EXPECTED, SR, kick, make_bad_corpus

from kickgan.audio.preprocess import prepare_clip
from kickgan.cli.main import main as cli
from kickgan.data import build as build_module
from kickgan.data.build import build_dataset
from kickgan.data.dataset import load_clips, load_split, read_manifest
from kickgan.errors import KickganError

OPTS = {"sr": 16000, "length": 4096}
KITS = ("kitA", "kitB", "kitC", "kitD", "kitE")

DRUMKIT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<drumkit_info xmlns="http://www.hydrogen-music.org/drumkit">
 <name>Hydro Kit</name>
 <instrumentList>
  <instrument><id>0</id><name>Kick</name>
   <layer><filename>k_soft.wav</filename><min>0</min><max>0.5</max></layer>
   <layer><filename>k_hard.wav</filename><min>0.5</min><max>1</max></layer>
  </instrument>
  <instrument><id>1</id><name>Snare</name>
   <layer><filename>snare.wav</filename><min>0</min><max>1</max></layer>
  </instrument>
 </instrumentList>
</drumkit_info>
"""


def make_corpus(root: Path) -> Path:
    """Five plain kits of three kicks, a snare, an exact and a near duplicate, and a Hydrogen kit
    whose two kick layers are one recording at two levels."""
    for k, kit in enumerate(KITS):
        (root / kit).mkdir(parents=True)
        for j in range(3):
            sf.write(root / kit / f"kick_{j}.wav", kick(index=3 * k + j), SR, subtype="PCM_16")
    sf.write(root / "kitA" / "snare_01.wav", kick(index=20), SR)
    pcm = sf.read(root / "kitA" / "kick_0.wav", dtype="int16")[0]
    sf.write(root / "kitE" / "kick_copy.flac", pcm, SR, subtype="PCM_16")
    y = sf.read(root / "kitB" / "kick_0.wav", dtype="float32")[0]
    sf.write(root / "kitD" / "kick_resampled.wav", 0.5 * soxr.resample(y, SR, 16000), 16000, subtype="PCM_24")
    hydro = root / "hydro"
    hydro.mkdir()
    (hydro / "drumkit.xml").write_text(DRUMKIT_XML)
    sf.write(hydro / "k_soft.wav", 0.3 * kick(index=30), SR, subtype="PCM_24")
    sf.write(hydro / "k_hard.wav", kick(index=30), SR, subtype="PCM_24")
    sf.write(hydro / "snare.wav", kick(index=31), SR)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = make_corpus(tmp_path_factory.mktemp("src"))
    return src, build_dataset([src], tmp_path_factory.mktemp("out") / "ds", **OPTS)


def by_source(records: list[dict]) -> dict[str, dict]:
    return {Path(r["source"]).parent.name + "/" + Path(r["source"]).name: r for r in records}


def test_selection_duplicates_and_velocity_layers(built):
    _, b = built
    recs = by_source(b.records)
    assert len(b.records) == 19 and b.info["not_kicks"] == 2  # the two snares are never read
    assert recs["kitE/kick_copy.flac"]["reason"] == "duplicate"
    assert recs["kitE/kick_copy.flac"]["duplicate_of"] == recs["kitA/kick_0.wav"]["id"]
    assert recs["kitD/kick_resampled.wav"]["reason"] == "near-duplicate"
    assert recs["kitD/kick_resampled.wav"]["duplicate_of"] == recs["kitB/kick_0.wav"]["id"]
    assert recs["kitD/kick_resampled.wav"]["similarity"] >= 0.99
    soft, hard = recs["hydro/k_soft.wav"], recs["hydro/k_hard.wav"]
    assert soft["status"] == hard["status"] == "kept"  # layers of one instrument stay
    assert (soft["kit"], soft["instrument"], soft["layer"], soft["velocity"]) == ("Hydro Kit", "Kick", 0, [0.0, 0.5])
    assert b.info["n_kept"] == 17 and b.info["rejected"] == {"duplicate": 1, "near-duplicate": 1}


def test_no_kit_is_in_two_splits(built):
    _, b = built
    assert b.info["split_by"] == "kit"
    kits = {s: set(load_split(b.out, s).kits) for s in ("train", "val", "test")}
    assert all(kits.values())
    assert not (kits["train"] & kits["val"]) and not (kits["train"] & kits["test"]) and not (kits["val"] & kits["test"])
    assert sum(b.info["splits"].values()) == b.info["n_kept"]


def test_manifest_round_trip_and_cached_arrays(built):
    _, b = built
    assert read_manifest(b.out) == json.loads(json.dumps(b.records))
    info = json.loads((b.out / "dataset.json").read_text())
    assert info["complete"] is True and info["format"] == "kickgan-dataset/1"
    for split in ("train", "val", "test"):
        data = load_split(b.out, split)
        assert data.clips.shape == (info["splits"][split], 4096) and data.clips.dtype == np.float32
        for row, name in zip(data.clips, data.names):
            rec = next(r for r in b.records if r["id"] == name)
            wav, sr = sf.read(b.out / rec["file"], dtype="float32")
            assert sr == 16000
            np.testing.assert_allclose(wav, row, atol=1 / 32767)  # the WAV is the 16-bit copy of the array row
            y, file_sr = sf.read(rec["source"], dtype="float32", always_2d=True)
            np.testing.assert_array_equal(row, prepare_clip(y.T, file_sr, 16000, 4096))


def test_the_same_build_gives_the_same_dataset(built, tmp_path):
    src, b = built
    again = build_dataset([src], tmp_path / "again", **OPTS)
    assert again.records == b.records
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(np.load(b.out / f"{split}.npy"), np.load(again.out / f"{split}.npy"))


def test_bad_files_get_their_reasons_and_few_kits_split_by_file(tmp_path, capsys):
    make_bad_corpus(tmp_path / "bad")
    assert cli(["data", "build", str(tmp_path / "bad"), "--out", str(tmp_path / "ds"), "--all",
                "--sr", "16000", "--length", "2048"]) == 0
    recs = {Path(r["source"]).name: r for r in read_manifest(tmp_path / "ds")}
    assert {name: r["reason"] for name, r in recs.items()} == EXPECTED
    out = capsys.readouterr().out
    assert "split by FILE" in out and "rejected by reason:" in out
    for name, reason in EXPECTED.items():
        if reason:
            assert f"{reason}" in out and name in out


def test_nothing_usable_is_a_clear_error(tmp_path, capsys):
    make_bad_corpus(tmp_path / "bad")
    for name, reason in EXPECTED.items():
        if reason is None:
            (tmp_path / "bad" / name).unlink()
    assert cli(["data", "build", str(tmp_path / "bad"), "--out", str(tmp_path / "ds"), "--all"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no usable kicks" in err and "10 candidate files were rejected" in err
    assert not (tmp_path / "ds").exists()


def fail_after(monkeypatch, n: int) -> None:
    """Make the builder's n-th WAV write raise, as a crash half-way would."""
    calls = {"n": 0}
    real = build_module.write_wav

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "write_wav", flaky)


def test_an_interrupted_build_keeps_the_previous_dataset(built, tmp_path, monkeypatch):
    src, _ = built
    out = tmp_path / "ds"
    build_dataset([src], out, **OPTS)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    fail_after(monkeypatch, 5)
    with pytest.raises(RuntimeError, match="simulated"):
        build_dataset([src], out, sr=22050, length=2048)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert load_split(out, "train").sr == 16000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]  # no staging folder left behind


def test_an_interrupted_first_build_leaves_no_dataset(built, tmp_path, monkeypatch):
    src, _ = built
    fail_after(monkeypatch, 3)
    with pytest.raises(RuntimeError):
        build_dataset([src], tmp_path / "ds", **OPTS)
    with pytest.raises(KickganError, match="not a kickgan dataset"):
        load_split(tmp_path / "ds", "train")
    assert list(tmp_path.iterdir()) == []


def test_an_incomplete_dataset_is_refused(built, tmp_path):
    _, b = built
    shutil.copytree(b.out, tmp_path / "ds")
    info = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    (tmp_path / "ds" / "dataset.json").write_text(json.dumps(info | {"complete": False}))
    with pytest.raises(KickganError, match="incomplete"):
        load_split(tmp_path / "ds", "train")


def test_out_must_be_new_empty_or_a_dataset(built, tmp_path):
    src, _ = built
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(KickganError, match="not a kickgan dataset"):
        build_dataset([src], tmp_path / "mine", **OPTS)
    with pytest.raises(KickganError, match="inside"):
        build_dataset([src], src / "ds", **OPTS)
    with pytest.raises(KickganError, match="no such file"):
        build_dataset([tmp_path / "nope"], tmp_path / "ds", **OPTS)


def test_exclude_and_all(built, tmp_path):
    src, _ = built
    b = build_dataset([src], tmp_path / "ds", exclude=("kitC/*", "*.flac"), **OPTS)
    sources = {Path(r["source"]).parent.name for r in b.records}
    assert "kitC" not in sources and b.info["excluded"] == 4
    b = build_dataset([src], tmp_path / "ds", all_kicks=True, **OPTS)
    assert b.info["not_kicks"] == 0 and len(b.records) == 21


def test_load_clips_reads_datasets_splits_and_folders(built):
    src, b = built
    clips, names = load_clips(str(b.out), 16000, 4096)
    assert names == load_split(b.out, "test").names and clips.shape == (len(names), 4096)
    clips, names = load_clips(f"{b.out}:train", 16000, 4096)
    assert len(names) == b.info["splits"]["train"]
    clips, names = load_clips(f"{b.out}:val", 8000, 1000)  # another rate and length: converted
    assert clips.shape == (b.info["splits"]["val"], 1000)
    clips, names = load_clips(str(src / "kitA"), 16000, 2048)
    assert names == ["kick_0.wav", "kick_1.wav", "kick_2.wav", "snare_01.wav"] and clips.shape == (4, 2048)
    with pytest.raises(KickganError, match="not a kickgan dataset"):
        load_clips(f"{src}:train", 16000, 2048)


def test_a_full_band_dataset_records_and_counts_a_band_limited_source(tmp_path, capsys):
    """`data build --sr 44100 --length 32768` end to end; a 22.05 kHz source is resampled, recorded
    as band-limited at 11025 Hz, and counted by dataset.json, the summary and the band metric."""
    from kickgan.metrics.evaluate import evaluate

    src = tmp_path / "src"
    for k, kit in enumerate(("kitA", "kitB", "kitC", "kitD")):
        (src / kit).mkdir(parents=True)
        for j in range(2):
            sf.write(src / kit / f"kick_{j}.wav", kick(44100, 0.8, index=2 * k + j), 44100, subtype="PCM_24")
    sf.write(src / "kitB" / "kick_low_rate.wav", kick(22050, 0.8, index=9), 22050, subtype="PCM_16")
    sf.write(src / "kitC" / "kick_48k.wav", kick(48000, 0.8, index=10), 48000, subtype="PCM_16")
    out = tmp_path / "ds44"
    assert cli(["data", "build", str(src), "--out", str(out), "--sr", "44100", "--length", "32768", "-v"]) == 0
    printed = capsys.readouterr().out
    info = json.loads((out / "dataset.json").read_text())
    assert (info["sr"], info["length"], info["n_kept"], info["n_band_limited"]) == (44100, 32768, 10, 1)
    recs = by_source(read_manifest(out))
    assert recs["kitB/kick_low_rate.wav"]["band_limit_hz"] == 11025
    assert recs["kitC/kick_48k.wav"]["band_limit_hz"] == recs["kitA/kick_0.wav"]["band_limit_hz"] == 22050
    assert "band-limited: 1 kept files" in printed and "[band-limited at 11025 Hz]" in printed
    split = recs["kitB/kick_low_rate.wav"]["split"]
    data = load_split(out, split)
    assert data.clips.shape[1] == 32768 and len(data.clips) >= 2
    report = evaluate(f"{out}:{split}", f"{out}:{split}", metrics=["bands"], cache_dir=None, progress=False)
    assert report["sr"] == 44100
    for column in ("generated", "real_floor"):
        if column in report["results"]:
            assert report["results"][column]["band/8-16k/median_db"] is not None
    assert report["results"]["generated"]["band/n_band_limited"] == 1
    assert report["results"]["generated"]["band/n_band_limited_ref"] == 1


def test_a_pipe_as_source_is_named_as_such(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(KickganError, match=r"pipe: not a file or folder \(a pipe or device\?\)"):
        build_dataset([tmp_path / "pipe"], tmp_path / "ds", all_kicks=True, **OPTS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_killed_builds_are_cleaned_and_a_live_build_is_left_alone(built, tmp_path):
    src, _ = built
    build_dataset([src], tmp_path / "ds", **OPTS)
    dead = dead_pid()
    for name in (f".ds.building-{dead}", f".ds.old-{dead}", f".ds.building-{os.getppid()}"):
        (tmp_path / name / "audio").mkdir(parents=True)
        (tmp_path / name / "audio" / "x.wav").write_bytes(b"4.5 MB of half a dataset")
    build_dataset([src], tmp_path / "ds", **OPTS)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".ds.building-{os.getppid()}", "ds"]  # that one still runs


def test_a_dataset_moved_aside_by_a_killed_install_comes_back(built, tmp_path):
    _, b = built
    aside = tmp_path / f".ds.old-{dead_pid()}"
    shutil.copytree(b.out, aside)
    with pytest.raises(KickganError, match="no such file"):
        build_dataset([tmp_path / "missing"], tmp_path / "ds", **OPTS)  # even a build that fails puts it back
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]
    assert load_split(tmp_path / "ds", "train").clips.shape == load_split(b.out, "train").clips.shape


def test_a_dataset_too_small_to_train_on_is_refused_unless_asked(tmp_path, capsys):
    (tmp_path / "one").mkdir()
    sf.write(tmp_path / "one" / "kick.wav", kick(index=1), SR)
    assert cli(["data", "build", str(tmp_path / "one"), "--out", str(tmp_path / "ds"), "--all"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only 1 usable kick(s) (train 1, val 0, test 0): too few to train on" in err
    assert not (tmp_path / "ds").exists()
    assert cli(["data", "build", str(tmp_path / "one"), "--out", str(tmp_path / "ds"), "--all", "--allow-small"]) == 0
    out = capsys.readouterr().out
    assert "usable for: nothing" in out
    assert "NOT usable for training: train split 1 kick(s); kickgan train needs 2" in out
    assert "NOT usable for evaluation reference (DIR = its test split): test split 0 kick(s)" in out


def test_the_summary_says_what_a_dataset_is_good_for(built):
    _, b = built
    text = (b.out / "summary.txt").read_text()
    assert "usable for: training, validation during training, evaluation reference (DIR = its test split)" in text
    assert "NOT usable" not in text


def test_load_clips_converts_a_dataset_with_its_own_normalisation(built, tmp_path):
    src, _ = built
    b = build_dataset([src], tmp_path / "loud", normalize="loudness", **OPTS)
    val = load_split(b.out, "val")
    clips, _ = load_clips(f"{b.out}:val", 8000, 2048)  # another rate and length: converted
    expected = np.stack([prepare_clip(y, 16000, 8000, 2048, normalize="loudness") for y in val.clips])
    np.testing.assert_allclose(clips, expected, atol=1e-6)
    assert np.abs(clips).max(axis=1).min() < 0.99  # not peak-normalised
