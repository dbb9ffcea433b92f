"""The bundled model: the producer commands use it when no checkpoint is given, a damaged
bundle is a one-line error, and the shipped folder's index, weights, controls and card agree.

The mechanism is tested on a temporary bundled folder (``kickgan.bundled.FOLDER`` pointed at it)
holding the synth-trained test model, added with ``kickgan models add`` as the real one is.
"""

import json
import shutil
from pathlib import Path

import pytest

import kickgan.bundled as bundled
from kickgan.bundled import make
from kickgan.cli import main as cli_main
from kickgan.errors import KickganError
from kickgan.io import read_json, write_json
from kickgan.producer.export import read_sidecar
from kickgan.train.checkpoint import file_sha256

MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"
SHIPPED = bundled.FOLDER
KITS = {"GMRockKit": "train", "Audiophob": "train", "VariBreaks": "val", "BJA_Pacific": "test"}  # docs/data.md kits


def fake_dataset(root: Path) -> Path:
    """A dataset folder's metadata (no audio): 2 GMRockKit + 1 Audiophob training kicks, 1 val, 1 test."""
    records = [{"status": "kept", "kit": kit, "split": split} for kit, split in KITS.items()]
    records.append({"status": "kept", "kit": "GMRockKit", "split": "train"})
    records.append({"status": "rejected", "kit": "Audiophob", "split": None})
    root.mkdir(parents=True)
    (root / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    write_json(root / "dataset.json", {"format": "kickgan-dataset/1", "complete": True, "sr": 16000, "length": 16384,
                                       "splits": {"train": 3, "val": 1, "test": 1}})
    return root


def fake_report(digest: str, fd: float = 120.0) -> dict:
    rows = {"generated": {"fd/aisfx-512": fd, "kid/aisfx-512": 0.5, "desc/w1_mean": 1.3, "mem/near_copies": 0,
                          "mem/near_copy_names": ""},
            "real_floor": {"fd/aisfx-512": 54.0, "kid/aisfx-512": 0.15, "desc/w1_mean": 1.14},
            "copy_train": {"fd/aisfx-512": 107.0, "kid/aisfx-512": 0.58, "desc/w1_mean": 1.66, "mem/near_copies": 71}}
    return {"generated": {"source": "m.pt", "n": 8, "checkpoint_hash": digest},
            "reference": {"source": "ds:test", "n": 1}, "train": {"source": "ds:train", "n": 3}, "results": rows}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A bundled folder made by ``kickgan models add`` from the test model; returns (folder, entry)."""
    root = tmp_path_factory.mktemp("bundle")
    data = fake_dataset(root / "ds")
    report = root / "eval.json"
    write_json(report, fake_report(file_sha256(MODEL)))
    folder = root / "bundled"
    argv = ["models", "add", MODEL, "--name", "testkick", "--data", data, "--evaluation", report, "--folder", folder]
    assert cli_main.main([str(a) for a in argv]) == 0
    entry = bundled.find(folder=folder)
    (folder / "MODEL_CARD.md").write_text(f"# testkick\n\nsha256 {entry['sha256']}\n\n{make.card_tables(entry)}")
    return folder, entry


@pytest.fixture
def installed(bundle, tmp_path, monkeypatch):
    """A fresh copy of the bundle as the installed folder (tests may damage it)."""
    folder = tmp_path / "installed"
    shutil.copytree(bundle[0], folder)
    monkeypatch.setattr(bundled, "FOLDER", folder)
    return folder


def kickgan(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli_main.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_checkpoint_gives_the_same_bytes_as_naming_the_bundled_file(installed, tmp_path, capsys):
    code, _, err = kickgan(capsys, "generate", "-n", 3, "--out", tmp_path / "implicit")
    assert code == 0 and "bundled model testkick" in err
    assert kickgan(capsys, "generate", installed / "testkick.pt", "-n", 3, "--out", tmp_path / "named")[0] == 0
    for seed in range(3):
        name = f"kick_s{seed:06d}.wav"
        assert (tmp_path / "implicit" / name).read_bytes() == (tmp_path / "named" / name).read_bytes()
    assert read_sidecar(tmp_path / "implicit" / "kick_s000002.json")["checkpoint_hash"] == file_sha256(installed / "testkick.pt")


def test_steering_the_bundled_model_reads_its_shipped_controls(installed, tmp_path, capsys):
    before = (installed / "testkick.controls.json").read_bytes()
    code, _, err = kickgan(capsys, "kit", "--seeds", "4", "--pitch", 1, "--out", tmp_path)
    assert code == 0 and "fitting" not in err
    assert (installed / "testkick.controls.json").read_bytes() == before
    assert (tmp_path / "kickgan_kicks.sfz").is_file()


def test_encode_takes_its_one_positional_as_the_kick(installed, tmp_path, capsys):
    code, _, err = kickgan(capsys, "encode", tmp_path / "mine.wav", "--out", tmp_path / "out")
    assert code == 1 and "mine.wav" in err and "checkpoint" not in err


@pytest.mark.parametrize("damage, words", [
    (lambda f: f.joinpath("testkick.pt").write_bytes(f.joinpath("testkick.pt").read_bytes()[:-10] + b"0" * 10), "is corrupt"),
    (lambda f: f.joinpath("testkick.pt").unlink(), "testkick.pt is missing"),
    (lambda f: f.joinpath("testkick.controls.json").unlink(), "testkick.controls.json is missing"),
    (lambda f: f.joinpath("testkick.controls.json").write_text('{"format": "kickgan-controls/2", "checkpoint_hash": "0"}'),
     "does not belong to testkick.pt"),
    (lambda f: f.joinpath("models.json").unlink(), "no bundled model index"),
    (lambda f: f.joinpath("models.json").write_text("{"), "not valid JSON"),
])
def test_a_damaged_bundle_is_a_one_line_error(installed, tmp_path, capsys, damage, words):
    damage(installed)
    code, out, err = kickgan(capsys, "generate", "-n", 1, "--out", tmp_path / "kicks")
    assert code == 1 and words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "kicks").exists()


def test_an_empty_index_says_no_model_ships(installed, tmp_path, capsys):
    write_json(installed / "models.json", {"format": bundled.FORMAT, "default": None, "models": []})
    code, _, err = kickgan(capsys, "generate", "-n", 1, "--out", tmp_path)
    assert code == 1 and "ships no pretrained model; give a checkpoint" in err
    assert kickgan(capsys, "models")[1].startswith("no pretrained model ships")


def test_models_lists_hash_data_and_scores(installed, bundle, capsys):
    code, out, _ = kickgan(capsys, "models")
    assert code == 0
    assert "testkick  (default)" in out and bundle[1]["sha256"] in out and ": ok (" in out
    assert "generated FD 120, KID 0.5, descriptors 1.3" in out and "real_floor FD 54" in out
    (installed / "testkick.pt").write_bytes(b"x")
    assert "BROKEN" in kickgan(capsys, "models")[1]


def test_the_entry_records_data_licences_weights_and_controls(bundle):
    folder, entry = bundle
    assert entry["training_data"] == ("ds: 3 training kicks (GPL-2+: 1 kit(s), 2 kicks, CC0: 1 kit(s), 1 kicks); "
                                      "val 1 kicks chose the checkpoint; test 1 kicks scored it")
    assert entry["data"]["licences"]["BJA_Pacific"] == "CC-BY-SA-3.0-us"
    assert entry["source_hash"] == file_sha256(MODEL) and entry["steps"] > 0
    assert entry["scores"]["generated"] == {"fd/aisfx-512": 120.0, "kid/aisfx-512": 0.5, "desc/w1_mean": 1.3,
                                            "mem/near_copies": 0}
    assert set(entry["steering_rho"]) == {"pitch", "decay", "click"}
    assert all(-1.0 <= rho <= 1.0 for rho in entry["steering_rho"].values())


def test_an_evaluation_of_other_weights_is_refused(bundle, tmp_path):
    with pytest.raises(KickganError, match="evaluation: it scored checkpoint 123456789abc"):
        make.add_model(MODEL, "other", fake_dataset(tmp_path / "ds"), fake_report("123456789abcdef"), folder=tmp_path)


def test_fresh_scores_are_checked_within_tolerance(bundle):
    _, entry = bundle
    digest = entry["sha256"]
    assert make.check_scores(entry, fake_report(digest, fd=120.0 * 1.015)) == []
    assert make.check_scores(entry, fake_report(digest, fd=120.0 * 1.03)) == ["generated fd/aisfx-512: card 120, fresh 123.6"]


@pytest.mark.parametrize("folder", [SHIPPED], ids=["shipped"])
def test_index_weights_controls_and_card_agree(folder):
    """What ships: every file is indexed, each weights file has the index's hash, its controls were
    fitted to it, and its card names the hash and holds the tables made from the index entry."""
    index = bundled.read_index(folder)
    indexed = {name for e in index["models"] for name in (e["file"], e["controls"])}
    assert {p.name for p in folder.glob("*.pt")} | {p.name for p in folder.glob("*.controls.json")} == indexed
    assert (index["default"] is None) == (not index["models"])
    for entry in index["models"]:
        assert bundled.checkpoint(entry["name"], folder) == folder / entry["file"]
        assert read_json(folder / entry["controls"])["checkpoint_hash"] == entry["sha256"] == file_sha256(folder / entry["file"])
        card = (folder / entry["card"]).read_text(encoding="utf-8")
        assert entry["sha256"] in card and make.card_tables(entry) in card
        assert (folder / entry["file"]).stat().st_size <= 20e6
