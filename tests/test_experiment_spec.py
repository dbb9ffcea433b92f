"""Experiment YAML: validation, overrides, run configs, dataset summary and licences."""

from pathlib import Path

import pytest

from kickgan.errors import KickganError
from kickgan.experiment.record import budget_text
from kickgan.experiment.runner import MAX_STEPS, licences_from_doc, run_config
from kickgan.experiment.spec import load_spec, with_overrides

ROOT = Path(__file__).resolve().parents[1]
# The published baselines run at a quarter width in the CPU grid (see the YAML); their labels say so.
GRID = ("dcgan_bce", "dcgan_wgangp", "dcgan_wgangp_durall", "dcgan_hinge", "specgan_d16", "wavegan_d16", "flow_matching")
ABLATIONS = ("dcgan_wgangp_bce", "dcgan_wgangp_noaug", "dcgan_wgangp_nearest", "dcgan_wgangp_durall_up",
             "dcgan_wgangp_durall_reg")
NARROW = ("wavegan_d8",)
FULL_BAND = ("kick44k",)
RECIPES = ("dcgan_wgangp_pitch", "dcgan_wgangp_pitch_lecam", "dcgan_wgangp_restarts")  # issue 14's candidates


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "tiny.yaml").write_text((ROOT / "configs" / "tiny.yaml").read_text())
    path = tmp_path / "experiments" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


BASE = "name: x\nbudget: {steps: 3}\nconfigs:\n  tiny: {}\n"


def test_shipped_experiments_load_and_name_the_papers_grid():
    spec = load_spec(ROOT / "configs" / "experiments" / "kick_it_out.yaml")
    assert tuple(e.name for e in spec.configs) == GRID + ABLATIONS + NARROW + FULL_BAND + RECIPES
    assert all(Path(e.config).is_file() for e in spec.configs)
    assert [Path(e.config).stem for e in spec.configs][4:7] == ["specgan", "wavegan", "flow"]
    for entry in spec.configs[len(GRID) : len(GRID) + len(ABLATIONS)]:  # one setting away from the default config
        assert Path(entry.config).stem == "dcgan_wgangp" and len(entry.set) == 1
    narrow = spec.configs[len(GRID) + len(ABLATIONS)]  # WaveGAN at half the grid's width
    assert "model.width=8" in narrow.set and Path(narrow.config).stem == "wavegan"
    for entry in spec.configs[-len(RECIPES):]:
        assert Path(entry.config).stem == "dcgan_wgangp" and "val_n=64" in entry.set
    recipe = run_config(spec.configs[-1], spec, seed=0, data="d")
    assert (recipe.restarts, recipe.best_metric, recipe.best_min_memorisation) == (2, "kid+descriptors", 0.95)
    assert spec.seeds == (0, 1) and spec.minutes is not None and spec.eval.metrics is None
    tiny = load_spec(ROOT / "configs" / "experiments" / "tiny.yaml")
    assert len(tiny.configs) == 2 and tiny.steps is not None
    small = load_spec(ROOT / "configs" / "experiments" / "small_data.yaml")  # issue 14: one change from the default
    assert [Path(e.config).stem for e in small.configs] == ["dcgan_wgangp"] * 4 + ["kick44k"] * 2
    assert [e.name for e in small.configs] == ["default", "pitch", "lecam_pitch", "restarts", "kick44k", "kick44k_restarts"]
    default, pitch_row, lecam_row, restarts_row, full_band, full_band_restarts = small.configs
    assert default.set == () and full_band.set == () and full_band.data == full_band_restarts.data == "data/open_kicks_44k"
    assert small.budget() == {"cpu_minutes": 60.0} and small.seeds == (0, 1, 2)
    candidate = run_config(lecam_row, small, seed=0, data="d")
    assert candidate.pitch_shifts == (-2.0, -1.0, 1.0, 2.0) and candidate.loss.lecam_weight == 0.3
    assert candidate.val_n == 64 and run_config(default, small, seed=0, data="d").val_n == 0
    pitch = run_config(pitch_row, small, seed=0, data="d")
    assert pitch.pitch_shifts == candidate.pitch_shifts and pitch.loss.lecam_weight == 0 and pitch.val_n == 64
    restarts = run_config(restarts_row, small, seed=0, data="d")  # the restarts pilot's recipe (docs/training.md)
    assert (restarts.restarts, restarts.best_metric, restarts.val_n) == (7, "kid+descriptors", 64)
    assert restarts.best_min_memorisation == 0.95 and pitch.best_min_memorisation == 0
    assert restarts.pitch_shifts == pitch.pitch_shifts and restarts.loss.lecam_weight == 0
    shipped, recipe = (run_config(row, small, seed=0, data="d") for row in (full_band, full_band_restarts))
    assert recipe.to_dict() == {**shipped.to_dict(), "name": "kick44k_restarts", "val_n": 64, "pitch_shifts": pitch.pitch_shifts, "restarts": 7,
                                "best_metric": "kid+descriptors+bands", "best_min_memorisation": 0.95}


def test_a_row_may_name_its_own_dataset(tmp_path):
    spec = load_spec(write(tmp_path, BASE + "  other: {config: ../tiny.yaml, data: data/open_kicks_44k}\n"))
    assert [e.data for e in spec.configs] == [None, "data/open_kicks_44k"]


def test_config_paths_resolve_against_the_experiment_file(tmp_path):
    spec = load_spec(write(tmp_path, BASE + "  other: {config: ../tiny.yaml, set: [batch_size=4]}\n"))
    assert [Path(e.config) for e in spec.configs] == [tmp_path / "tiny.yaml"] * 2
    assert spec.configs[1].set == ("batch_size=4",) and spec.seeds == (0, 1, 2)


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: x\nconfigs: {tiny: {}}\n", "budget: expected exactly one of"),
        ("name: x\nbudget: {steps: 3, minutes: 2}\nconfigs: {tiny: {}}\n", "budget: expected exactly one of"),
        ("name: x\nbudget: {minutes: -1}\nconfigs: {tiny: {}}\n", "budget.minutes: expected a positive number"),
        ("name: x\nbudget: {steps: 3}\nconfigs: {nope: {}}\n", "configs.nope: no such training config"),
        ("name: x\nbudget: {steps: 3}\nconfigs: {tiny: {sett: []}}\n", "configs.tiny: unknown option 'sett'"),
        (BASE + "seeds: [1, 1]\n", "seeds: expected a count or a list of distinct"),
        (BASE + "eval: {checkpoint: final}\n", "eval.checkpoint: expected best or latest"),
        (BASE + "eval: {reference: holdout}\n", "eval.reference: expected one of"),
        (BASE + "budgett: 1\n", "unknown option 'budgett'"),
        ("name: a b\nbudget: {steps: 3}\nconfigs: {tiny: {}}\n", "name: expected letters"),
        ("- just\n- a list\n", "expected a mapping of experiment options"),
    ],
)
def test_bad_experiment_files_name_the_key_and_the_reason(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(KickganError, match=message) as info:
        load_spec(path)
    assert str(path) in str(info.value)


def test_command_line_overrides_replace_the_budget_and_seeds(tmp_path):
    spec = load_spec(write(tmp_path, BASE))
    minutes = with_overrides(spec, data="d", minutes=2.5, seeds=2)
    assert (minutes.data, minutes.minutes, minutes.steps, minutes.seeds) == ("d", 2.5, None, (0, 1))
    assert with_overrides(minutes, steps=7).budget() == {"steps": 7}
    with pytest.raises(KickganError, match="give one budget, not both"):
        with_overrides(spec, minutes=1, steps=1)
    with pytest.raises(KickganError, match="--seeds: expected a positive integer"):
        with_overrides(spec, seeds=0)


def test_run_config_fixes_budget_seed_data_and_name_over_every_override(tmp_path):
    spec = load_spec(write(tmp_path, "name: x\nbudget: {minutes: 2}\nset: [batch_size=4, seed=9]\n"
                                     "configs:\n  tiny_bce: {config: ../tiny.yaml, set: [loss.kind=bce]}\n"))
    cfg = run_config(spec.configs[0], spec, seed=3, data="some/dataset")
    assert (cfg.name, cfg.seed, cfg.data, cfg.batch_size, cfg.loss.kind) == ("tiny_bce", 3, "some/dataset", 4, "bce")
    assert (cfg.time_budget_minutes, cfg.steps, cfg.budget_clock) == (2.0, MAX_STEPS, "wall")
    steps = run_config(spec.configs[0], with_overrides(spec, steps=5), seed=0, data="d")
    assert (steps.time_budget_minutes, steps.steps) == (0.0, 5)


def test_a_cpu_minutes_budget_counts_each_runs_cpu_time_and_says_so(tmp_path):
    spec = load_spec(write(tmp_path, "name: x\nbudget: {cpu_minutes: 20}\nconfigs:\n  tiny: {}\n"))
    assert (spec.minutes, spec.clock, spec.budget()) == (20.0, "cpu", {"cpu_minutes": 20.0})
    assert budget_text({"budget": spec.budget()}) == "20 CPU minutes"
    cfg = run_config(spec.configs[0], spec, seed=0, data="d")
    assert (cfg.time_budget_minutes, cfg.budget_clock) == (20.0, "cpu")
    longer = with_overrides(spec, minutes=30)  # the command line changes the amount, not the clock
    assert longer.budget() == {"cpu_minutes": 30.0}
    with pytest.raises(KickganError, match="budget.cpu_minutes: expected a positive number"):
        load_spec(write(tmp_path, "name: x\nbudget: {cpu_minutes: 0}\nconfigs:\n  tiny: {}\n"))


def test_licences_come_from_the_docs_kit_table(tmp_path):
    doc = tmp_path / "data.md"
    doc.write_text("| a | b |\n| --- | --- |\n| 1 | 2 |\n\n| kit | package | licence |\n| --- | --- | --- |\n"
                   "| TR808 | hydrogen | GPL-2+ |\n| samples/drums | lmms | CC0 |\n")
    assert licences_from_doc(doc) == {"TR808": "GPL-2+", "samples/drums": "CC0"}
    assert licences_from_doc(tmp_path / "missing.md") == {}
