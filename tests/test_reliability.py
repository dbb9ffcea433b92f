"""Bad input and faults give one-line errors before any work, and leave nothing half-done (issue 17).

Commands run in this process on the small test model (``tests/data/dcgan_wgangp_synth.pt``);
docs/reliability.md lists every case with the test that guards it.
"""

import errno
import importlib
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from test_data_quality import SR, kick

from kickgan.cli import main as cli_main
from kickgan.errors import KickganError, ParameterError
from kickgan.metrics.descriptors import NAMES, describe
from kickgan.producer import controls
from kickgan.producer.encode import encode
from kickgan.producer.kit import build_kit
from kickgan.sampler import KickSampler

generate_mod = importlib.import_module("kickgan.producer.generate")  # the module (the package exports a function of that name)
interpolate_mod = importlib.import_module("kickgan.producer.interpolate")
MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"


def kickgan(capsys, *args) -> tuple[int, str]:
    """Run the command line in this process: (exit code, stderr)."""
    capsys.readouterr()
    try:
        code = cli_main.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    return code, capsys.readouterr().err


def one_line(err: str) -> str:
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


@pytest.fixture
def model(tmp_path) -> Path:
    """A copy of the test model in its own folder (the controls are written beside it)."""
    path = tmp_path / "model" / "model.pt"
    path.parent.mkdir()
    shutil.copy(MODEL, path)
    return path


def test_out_that_is_a_file_or_below_one_is_refused_on_one_line(tmp_path, capsys):
    (tmp_path / "taken").write_text("not a folder")
    code, err = kickgan(capsys, "generate", MODEL, "-n", 1, "--out", tmp_path / "taken")
    assert code == 1 and "--out" in one_line(err) and "exists and is not a folder" in err
    code, err = kickgan(capsys, "generate", MODEL, "-n", 1, "--out", tmp_path / "taken" / "sub")
    assert code == 1 and "cannot create the folder" in one_line(err)
    code, err = kickgan(capsys, "export", MODEL, "--out", tmp_path)
    assert code == 1 and "is a folder" in one_line(err)


@pytest.mark.parametrize("device, reason", [("banana", "not a torch device"), ("cuda:99", "CUDA"), ("meta", "cpu, cuda or mps")])
def test_a_device_this_machine_lacks_is_a_usage_error(tmp_path, capsys, device, reason):
    if device.startswith("cuda") and torch.cuda.device_count() > 99:
        pytest.skip("this machine has 100 GPUs")
    code, err = kickgan(capsys, "generate", MODEL, "-n", 1, "--out", tmp_path / "k", "--device", device)
    assert code == 2 and "--device" in one_line(err) and reason in err
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize("amount", ["nan", "inf", "-inf", "100", "2.5"])
def test_control_amounts_must_be_finite_and_within_the_measured_range(model, tmp_path, capsys, amount):
    code, err = kickgan(capsys, "generate", model, "-n", 1, "--out", tmp_path / "k", f"--pitch={amount}")
    assert code == 2 and "--pitch: must be from -2 to +2" in one_line(err)
    assert not (tmp_path / "k").exists()


def test_evaluate_checks_its_outputs_before_the_evaluation(tmp_path, capsys, monkeypatch):
    ev = importlib.import_module("kickgan.metrics.evaluate")  # the module, as for generate_mod
    monkeypatch.setattr(ev, "evaluate", lambda *a, **k: pytest.fail("evaluated before checking --json"))
    code, err = kickgan(capsys, "evaluate", tmp_path, "--reference", tmp_path, "--json", tmp_path)
    assert code == 1 and "--json" in one_line(err) and "is a folder" in err


def test_a_file_system_refusal_mid_command_is_one_line(monkeypatch, capsys):
    class FullDisk:
        @staticmethod
        def main(argv, prog):
            raise OSError(errno.ENOSPC, "No space left on device", "kicks/kick_s000001.wav")

    monkeypatch.setattr(cli_main.importlib, "import_module", lambda name: FullDisk)
    assert cli_main.main(["generate"]) == 1
    assert capsys.readouterr().err == "kickgan generate: error: kicks/kick_s000001.wav: No space left on device\n"


def test_controls_of_a_read_only_checkpoint_go_to_the_user_cache(model, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    real_write = controls.write_json

    def read_only_model_folder(path, obj):
        if Path(path).parent == model.parent:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_write(path, obj)

    monkeypatch.setattr(controls, "write_json", read_only_model_folder)
    sampler = KickSampler.from_checkpoint(model)
    record = controls.load_or_fit(sampler, n=16)
    cached = tmp_path / "cache" / "kickgan" / "controls" / f"{sampler.checkpoint_hash}.controls.json"
    assert cached.exists() and not controls.controls_path(sampler).exists()
    assert controls.is_fitted(sampler) and controls.load_or_fit(sampler) == record


@pytest.fixture(scope="module")
def sampler(tmp_path_factory):
    """The test model's sampler, from a copy (its controls are written beside it)."""
    path = tmp_path_factory.mktemp("model") / "model.pt"
    shutil.copy(MODEL, path)
    return KickSampler.from_checkpoint(path)


def test_generate_streams_the_first_files_exist_before_the_last_latents_are_drawn(sampler, tmp_path, monkeypatch):
    monkeypatch.setattr(generate_mod, "CHUNK", 4)
    seen = []  # (last seed asked for, whether the first kick was on disk then)
    draw = sampler.latents
    monkeypatch.setattr(sampler, "latents", lambda seeds: seen.append((seeds[-1], (tmp_path / "kick_s000000.wav").exists())) or draw(seeds))
    written = generate_mod.generate_each(sampler, range(12), tmp_path)
    assert next(written) == tmp_path / "kick_s000000.wav" and len(seen) == 1  # one chunk drawn, its first kick written
    assert len(list(written)) == 11
    assert seen == [(3, False), (7, True), (11, True)]


def test_many_seeds_are_a_range_and_need_yes(tmp_path, capsys):
    import argparse

    from kickgan.cli.generate import MAX_KICKS, seeds_of

    args = argparse.Namespace(seeds=None, seed=None, n=10**8, yes=True)
    assert seeds_of(args) == range(10**8)  # no list of a hundred million ints
    code, err = kickgan(capsys, "generate", MODEL, "-n", MAX_KICKS + 1, "--out", tmp_path / "k")
    assert code == 2 and "pass --yes to confirm" in one_line(err) and f"-n: {MAX_KICKS + 1} kicks" in err
    assert not (tmp_path / "k").exists()


def test_a_seed_given_twice_is_refused(tmp_path, capsys):
    code, err = kickgan(capsys, "generate", MODEL, "--seeds", "3,4,3", "--out", tmp_path / "k")
    assert code == 2 and "--seeds: seed 3 is given more than once" in one_line(err)


def test_a_kick_written_meanwhile_by_another_process_is_not_overwritten(sampler, tmp_path, monkeypatch):
    real_check = generate_mod.check_seeds_free

    def then_another_process_writes(out, seeds, force):
        real_check(out, seeds, force)
        (tmp_path / "kick_s000001.wav").write_bytes(b"theirs")  # after the check, before this one writes

    monkeypatch.setattr(generate_mod, "check_seeds_free", then_another_process_writes)
    with pytest.raises(KickganError, match=r"kick_s000001\.wav: already exists \(another process"):
        generate_mod.generate(sampler, [0, 1, 2], tmp_path)
    assert (tmp_path / "kick_s000001.wav").read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kick_s000000.json", "kick_s000000.wav", "kick_s000001.wav"]


def test_interpolation_names_sort_in_row_order(sampler, tmp_path, monkeypatch):
    monkeypatch.setattr(interpolate_mod, "render_latents", lambda s, z, paths, *a, **k: paths)  # names only
    paths = interpolate_mod.interpolate(sampler, "1", "2", 101, tmp_path)
    names = [p.name for p in paths]
    assert names[0] == "interp_s000001_s000002_000.wav" and names[-1] == "interp_s000001_s000002_100.wav"
    assert sorted(names) == names
    with pytest.raises(KickganError, match="--steps: must be an integer from 2 to 10000"):
        interpolate_mod.interpolate(sampler, "1", "2", 10**8, tmp_path)


def test_shipped_configs_load_by_name_from_anywhere(tmp_path, monkeypatch):
    import tomllib

    from kickgan.configs import CONFIG_DIR
    from kickgan.config import load_config

    monkeypatch.chdir(tmp_path)  # outside the repository
    assert load_config("tiny").name == "tiny" and load_config("dcgan_wgangp.yaml").name == "dcgan_wgangp"
    with pytest.raises(KickganError, match=r"nope: no such config file, nor a shipped config \(shipped: .*tiny"):
        load_config("nope")
    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["kickgan.configs"]
    packaged = {p for pattern in patterns for p in CONFIG_DIR.glob(pattern)}
    assert packaged == set(CONFIG_DIR.rglob("*.yaml")) and len(packaged) >= 9  # every config goes into the wheel


def test_bench_generate_writes_markdown_only_when_asked(tmp_path, monkeypatch, capsys):
    from kickgan.cli.bench import run_one

    monkeypatch.chdir(tmp_path)
    assert run_one("kickgan.producer.bench", ["--config", "tiny", "--n", "2", "--repeats", "1"], "kickgan bench generate") == 0
    assert "| one kick: median (ms)" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []  # no docs/benchmarks.md in whatever folder it ran in


def bad_kicks(folder: Path) -> dict[str, str]:
    """WAVs ``data build`` rejects, each with the reason ``encode`` must now give."""
    folder.mkdir()
    y = kick(index=1)
    nan, inf = y.copy(), y.copy()
    nan[100:110], inf[200] = np.nan, np.inf
    for name, data in (("nan", nan), ("inf", inf), ("all_nan", np.full_like(y, np.nan))):
        sf.write(folder / f"{name}.wav", data, SR, subtype="FLOAT")
    sf.write(folder / "silence.wav", np.zeros_like(y), SR)
    sf.write(folder / "10ms.wav", y[: SR // 100], SR)
    sf.write(folder / "whole.wav", y, SR)
    (folder / "half.wav").write_bytes((folder / "whole.wav").read_bytes()[: (folder / "whole.wav").stat().st_size // 2])
    (folder / "whole.wav").unlink()
    return {"nan": "non-finite", "inf": "non-finite", "all_nan": "non-finite", "silence": "silent",
            "10ms": "too-short", "half": "truncated"}


def test_encode_refuses_what_data_build_rejects_and_writes_nothing(sampler, tmp_path, capsys):
    for name, reason in bad_kicks(tmp_path / "in").items():
        with pytest.raises(KickganError, match=rf"{name}\.wav: cannot encode it: {reason} "):
            encode(sampler, tmp_path / "in" / f"{name}.wav", tmp_path / "out", steps=1, starts=1, n_variations=0)
    assert not (tmp_path / "out").exists()
    code, err = kickgan(capsys, "encode", MODEL, tmp_path / "in" / "nan.wav", "--out", tmp_path / "out")
    assert code == 1 and "nan.wav: cannot encode it: non-finite (10 NaN or infinite samples)" in one_line(err)
    assert not (tmp_path / "out").exists()


def test_velocity_layers_rise_in_measured_click(sampler, tmp_path):
    controls.load_or_fit(sampler, n=64)
    build_kit(sampler, [0, 1, 2, 3], tmp_path, "sfz", layers=4)
    for seed in range(4):
        clips = [sf.read(tmp_path / "samples" / f"kick_s{seed:06d}_v{j}.wav", dtype="float32")[0] for j in range(1, 5)]
        click = [describe(y[None], 44100)[0, NAMES.index("click_db")] for y in clips]
        assert click == sorted(click), (seed, click)
    with pytest.raises(ParameterError, match=r"--layer-click: the layers would reach a click of 2.5 steps"):
        build_kit(sampler, [0], tmp_path / "k", "sfz", layers=2, layer_click=1.5, controls={"click": -1.0})
