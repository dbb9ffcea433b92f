"""`kickgan analyse` on a synthetic experiment: which kicks it reads, its numbers, files and errors."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_experiment_report import MODELS, make_record, md_table

from kickgan.cli import analyse as analyse_cli
from kickgan.errors import KickganError, UsageError
from kickgan.experiment.analysis_report import NUMBERS, analyse, write_analysis
from kickgan.experiment.record import load_record, save_record
from kickgan.io import read_audio, write_wav

TEST_MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("analysed")
    make_record(folder)
    write_analysis(folder, log=lambda _: None)
    return folder, json.loads((folder / "analysis.json").read_text())


def test_gallery_kicks_give_their_known_glide_and_decay(analysed):
    # the fixture's kicks: steady sines at f0, f0 + 5, f0 + 10 Hz, all decaying exp(-t / 100 ms);
    # real f0 55 (mean 60 Hz), dcgan_bce 50 (mean 55 Hz), dcgan_wgangp 60 (mean 65 Hz)
    _, result = analysed
    sets = result["sets"]
    assert list(sets) == ["real", *MODELS] and all(s["n"] == 3 for s in sets.values())
    for label, hz in (("real", 60.0), ("dcgan_bce", 55.0), ("dcgan_wgangp", 65.0)):
        # body_frequency's 10 ms window holds half a period of these low sines: it settles after ~30 ms
        later = np.asarray(sets[label]["glide"]["mean"])[np.asarray(sets[label]["glide_t"]) >= 30]
        assert later.mean() == pytest.approx(hz, abs=1.0)
        assert sets[label]["glide_end_hz"] == pytest.approx(hz, abs=1.5)
    assert sets["dcgan_bce"]["glide_abs_hz"] == pytest.approx(5.0, abs=1.5)
    assert sets["dcgan_bce"]["decay_abs_db"] < 1.0  # same decay, different pitch
    assert sets["real"]["decay_20db_ms"] == pytest.approx(230.0, abs=15.0)  # 20 dB = 2.30 time constants
    assert sets["dcgan_bce"]["art/peak_score"] is None  # the fixture's metrics have no artefact keys
    assert result["sources"]["dcgan_bce"] == "the gallery WAVs of seed 0"
    assert result["sources"]["real"] == "the report's real WAVs"


def test_analysis_md_has_one_row_per_set_and_every_column(analysed):
    folder, result = analysed
    table = md_table((folder / "analysis.md").read_text().split("term by term")[0])
    assert len(table[0]) == 1 + len(NUMBERS)
    assert [row[0] for row in table[2:]] == list(result["sets"])
    assert table[3][1] == "3" and table[2][6] == "-"  # kicks; real has no deviation from itself
    text = (folder / "analysis.md").read_text()
    for stem in ("spatial_patterns", "nonspatial_distributions"):
        for ext in ("png", "pdf"):
            assert (folder / "figures" / f"{stem}.{ext}").stat().st_size > 1000
        caption = next(line for line in text.splitlines() if line.endswith(f"(figures/{stem}.png)"))
        assert "per run, seeds 0, 1]" in caption  # the budget and the seeds in every caption


def test_checkpoints_in_the_folder_are_sampled_instead_of_the_gallery(tmp_path):
    record = make_record(tmp_path)
    record["dataset"]["sr"] = 16000  # the test model's rate: rewrite every gallery WAV at it
    for rel in record["real"]["audio"] + [p for r in record["runs"] for p in r["audio"]]:
        y, _ = read_audio(tmp_path / rel)
        write_wav(tmp_path / rel, y[0], 16000)
    save_record(tmp_path, record)
    ckpts = tmp_path / record["runs"][0]["dir"] / "checkpoints"
    ckpts.mkdir(parents=True)
    shutil.copy(TEST_MODEL, ckpts / "best.pt")
    result = analyse(load_record(tmp_path), tmp_path, n=4, log=lambda _: None)
    assert result["sources"]["dcgan_bce"] == "4 kicks (seeds 0-3) from each of 1 run checkpoints"
    assert result["sets"]["dcgan_bce"]["n"] == 4 and result["sets"]["dcgan_wgangp"]["n"] == 3
    assert result["length"] == 2048  # cut to the shortest set (the fixture's WAVs)


def test_no_real_kicks_is_a_one_line_error(tmp_path):
    record = make_record(tmp_path)
    record["real"]["audio"] = []
    save_record(tmp_path, record)
    with pytest.raises(KickganError, match="no real kicks to compare with"):
        write_analysis(tmp_path, log=lambda _: None)


def test_cli_writes_the_files_and_checks_n(tmp_path, capsys):
    make_record(tmp_path)
    assert analyse_cli.main([str(tmp_path)], prog="kickgan analyse") == 0
    assert str(tmp_path / "analysis.md") in capsys.readouterr().out
    with pytest.raises(UsageError, match="--n: need at least 2"):
        analyse_cli.main([str(tmp_path), "--n", "1"], prog="kickgan analyse")
    assert np.isfinite(json.loads((tmp_path / "analysis.json").read_text())["sets"]["real"]["radial_peak_db"])


def test_rerunning_rewrites_identical_figures(analysed):
    folder, _ = analysed
    before = {p.name: p.read_bytes() for p in (folder / "figures").glob("*_*.*")}
    write_analysis(folder, log=lambda _: None)
    after = {p.name: p.read_bytes() for p in (folder / "figures").glob("*_*.*")}
    assert "spatial_patterns.pdf" in before and after == before  # no timestamps in the PNGs or PDFs


def test_a_folder_without_experiment_json_is_a_one_line_error(tmp_path):
    from kickgan.cli import paper as paper_cli

    for cli, prog in ((analyse_cli, "kickgan analyse"), (paper_cli, "kickgan paper")):
        with pytest.raises(KickganError, match="experiment.json: no such file"):
            cli.main([str(tmp_path)], prog=prog)
    assert list(tmp_path.iterdir()) == []


def test_reference_option_picks_the_real_kicks(tmp_path):
    from test_experiment_report import SR, _kick

    make_record(tmp_path / "exp")
    refs = tmp_path / "refs"
    for i in range(5):
        write_wav(refs / f"k{i}.wav", _kick(80.0, 0.1), SR)
    assert analyse_cli.main([str(tmp_path / "exp"), "--reference", str(refs)], prog="kickgan analyse") == 0
    result = json.loads((tmp_path / "exp" / "analysis.json").read_text())
    assert result["sources"]["real"] == str(refs) and result["sets"]["real"]["n"] == 5
    assert result["sets"]["real"]["glide_end_hz"] == pytest.approx(80.0, abs=1.5)
    with pytest.raises(KickganError):
        analyse_cli.main([str(tmp_path / "exp"), "--reference", str(tmp_path / "missing")], prog="kickgan analyse")


def test_analysis_md_breaks_the_descriptor_distance_into_its_terms(analysed):
    from kickgan.audio.descriptors import NAMES

    folder, _ = analysed
    text = (folder / "analysis.md").read_text()
    table = md_table(text.split("term by term", 1)[1])
    assert [h.split(" ")[0] for h in table[0][1:]] == list(NAMES)
    assert [row[0] for row in table[2:]] == [f"{m} (2 seeds)" for m in MODELS] + [
        "*real floor (test vs test)*", "*copy the training set*", "*round trip: logmag / pghi*"]
    # the fixture's terms: fd / 10 + k / 100 for the k-th descriptor; dcgan_bce's seeds have FD 10 and 14
    assert table[2][1] == "1.20 ± 0.28" and table[2][4] == "1.23 ± 0.28"
    assert table[4][2] == "0.110"  # real floor, FD 1.0, second descriptor
