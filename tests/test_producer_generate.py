"""Producer tools on a small trained model: determinism, file format, sidecars, interpolation, kits, CLI.

The module trains the ``tiny`` config for a few steps on synthesised kicks once; its
kicks are not good kicks, but every property tested here holds for any checkpoint.
"""

import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from kickgan.cli import main as cli_main
from kickgan.config import load_config
from kickgan.errors import KickganError, ParameterError
from kickgan.io import read_json
from kickgan.cli.bench import run_one
from kickgan.producer import controls
from kickgan.producer.export import ExportOptions, export_options, read_sidecar
from kickgan.producer.generate import generate, render_latents
from kickgan.producer.interpolate import interpolate
from kickgan.producer.kit import H2_NAMESPACE, build_kit
from kickgan.sampler import KickSampler
from kickgan.train import train

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    cfg = load_config(TINY, ["steps=4", "ckpt_every=4", "preview_every=4"])
    return train(cfg, data="synth:32", out=tmp_path_factory.mktemp("run") / "tiny", progress=False)


@pytest.fixture(scope="module")
def sampler(run_dir):
    return KickSampler.from_checkpoint(run_dir)


def kickgan(capsys, *args) -> tuple[int, str]:
    """Run the command line in this process: (exit code, stderr)."""
    capsys.readouterr()
    code = cli_main.main([str(a) for a in args])
    return code, capsys.readouterr().err


def test_same_seed_same_bytes_alone_or_in_a_batch(sampler, tmp_path):
    generate(sampler, [3, 17, 42], tmp_path / "a")
    generate(sampler, [42], tmp_path / "b")
    generate(sampler, [42, 3], tmp_path / "c")
    a = (tmp_path / "a" / "kick_s000042.wav").read_bytes()
    assert a == (tmp_path / "b" / "kick_s000042.wav").read_bytes() == (tmp_path / "c" / "kick_s000042.wav").read_bytes()
    assert a != (tmp_path / "a" / "kick_s000003.wav").read_bytes()


@pytest.mark.parametrize("sr, bit_depth, subtype", [(44100, "16", "PCM_16"), (48000, "24", "PCM_24"), (22050, "32f", "FLOAT")])
def test_files_have_the_requested_rate_depth_and_level(sampler, tmp_path, sr, bit_depth, subtype):
    (path,) = generate(sampler, [5], tmp_path, ExportOptions(sr=sr, bit_depth=bit_depth))
    info = sf.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (sr, 1, subtype)
    y, _ = sf.read(path)
    assert np.isfinite(y).all()
    assert 20 * np.log10(np.abs(y).max()) == pytest.approx(-1.0, abs=0.01)
    assert len(y) <= round(sampler.length * sr / sampler.sr) + 1


def test_sidecar_latent_remakes_the_identical_file(sampler, tmp_path):
    opts = ExportOptions(sr=48000, bit_depth="24")
    (path,) = generate(sampler, [7], tmp_path / "a", opts, truncation=0.8)
    record = read_sidecar(path)
    assert record["seed"] == 7 and record["truncation"] == 0.8
    assert record["checkpoint_hash"] == sampler.checkpoint_hash and len(record["latent"]) == sampler.z_dim
    z = torch.tensor([record["latent"]], dtype=torch.float32)
    assert torch.equal(z, sampler.latents([7]) * 0.8)
    (again,) = render_latents(sampler, z, [tmp_path / "b" / path.name], export_options(record), [{}])
    assert again.read_bytes() == path.read_bytes()


def test_interpolation_ends_are_the_seed_kicks(sampler, tmp_path):
    generate(sampler, [3, 42], tmp_path / "seeds")
    row = interpolate(sampler, "3", "42", 5, tmp_path / "row")
    assert len(row) == 5
    assert row[0].read_bytes() == (tmp_path / "seeds" / "kick_s000003.wav").read_bytes()
    assert row[-1].read_bytes() == (tmp_path / "seeds" / "kick_s000042.wav").read_bytes()
    assert len({p.read_bytes() for p in row}) == 5
    # from a sidecar: the same row
    again = interpolate(sampler, str(tmp_path / "seeds" / "kick_s000003.json"), "42", 5, tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in row]


def test_interpolation_refuses_a_sidecar_of_another_checkpoint(sampler, tmp_path):
    (path,) = generate(sampler, [3], tmp_path)
    text = path.with_suffix(".json").read_text().replace(sampler.checkpoint_hash, "0" * 64)
    path.with_suffix(".json").write_text(text)
    with pytest.raises(KickganError, match="made by another checkpoint"):
        interpolate(sampler, str(path.with_suffix(".json")), "42", 3, tmp_path / "row")


def test_refuses_to_overwrite_without_force(sampler, tmp_path):
    (path,) = generate(sampler, [1], tmp_path)
    path.write_bytes(b"mine")
    with pytest.raises(KickganError, match="kick_s000001.wav: already exists"):
        generate(sampler, [1], tmp_path)
    assert path.read_bytes() == b"mine"
    generate(sampler, [1], tmp_path, force=True)
    assert path.read_bytes() != b"mine"


def test_sfz_and_hydrogen_kits_reference_only_existing_samples(sampler, tmp_path):
    sfz = build_kit(sampler, [3, 17, 42], tmp_path / "sfz", "sfz", name="kg")
    samples = [line.split("sample=")[1].split()[0] for line in sfz.read_text().splitlines() if "sample=" in line]
    assert len(samples) == 3 and all((sfz.parent / s).is_file() for s in samples)
    kit = build_kit(sampler, [3, 17], tmp_path / "h2", "hydrogen", name="kg", layout="velocity")
    with tarfile.open(kit, "r:gz") as tar:
        names = set(tar.getnames())
        root = ET.fromstring(tar.extractfile("kg/drumkit.xml").read())
    files = [e.text for e in root.iter(f"{{{H2_NAMESPACE}}}filename")]
    assert files == ["kick_s000003.wav", "kick_s000017.wav"] and all(f"kg/{f}" in names for f in files)
    with pytest.raises(KickganError, match="kg.h2drumkit: already exists"):
        build_kit(sampler, [3, 17], tmp_path / "h2", "hydrogen", name="kg")


def test_velocity_layers_of_one_kick_rise_in_click(sampler, tmp_path):
    controls.load_or_fit(sampler, n=64)  # a small fit: this model only has to be steerable
    sfz = build_kit(sampler, [42], tmp_path, "sfz", layers=3, layer_click=1.5)
    regions = [line.split() for line in sfz.read_text().splitlines() if line.startswith("<region>")]
    assert [r[1] for r in regions] == [f"sample=samples/kick_s000042_v{j}.wav" for j in (1, 2, 3)]
    assert {r[2] for r in regions} == {"key=36"}
    sidecars = [read_sidecar(tmp_path / "samples" / f"kick_s000042_v{j}.json") for j in (1, 2, 3)]
    assert sorted(s["controls"]["click"] for s in sidecars) == [-1.5, 0.0, 1.5]  # the layers are ordered by measured click
    assert [s["layer"] for s in sidecars] == [1, 2, 3]
    with pytest.raises(ParameterError, match="--layers"):
        build_kit(sampler, [42], tmp_path / "v", "sfz", layout="velocity", layers=2)


def test_controls_are_stored_beside_the_checkpoint_and_steer_by_their_steps(sampler):
    record = controls.load_or_fit(sampler, n=64)
    path = controls.controls_path(sampler)
    assert path.parent == sampler.path.parent and controls.is_fitted(sampler)
    assert record["checkpoint_hash"] == sampler.checkpoint_hash
    assert controls.load_or_fit(sampler, n=64) == record  # read back, not refitted
    z = sampler.latents([0, 1])
    moved = controls.steer(sampler, z, {"pitch": 1.0})
    with torch.no_grad():
        change = (controls.estimate(sampler, moved) - controls.estimate(sampler, z)).numpy()
    steps = [record["controls"][n]["step"] for n in controls.CONTROLS]
    # even this 4-step model: the pitch estimate rises by about one step, the others hold
    assert (np.abs(change[:, 0] / steps[0] - 1.0) < 0.4).all()
    for k, step in list(enumerate(steps))[1:]:  # a step of None: this model's kicks all share that value
        assert (np.abs(change[:, k]) < 0.25 * step).all() if step else np.allclose(change[:, k], 0.0, atol=1e-3)
    assert torch.equal(controls.steer(sampler, z[1:], {"pitch": 1.0}), moved[1:])  # each row alone
    with pytest.raises(KickganError, match="unknown loudness"):
        controls.steer(sampler, z, {"loudness": 1.0})


def test_cli_generate_writes_kicks_and_refuses_overwrite_on_one_line(run_dir, tmp_path, capsys):
    code, err = kickgan(capsys, "generate", run_dir, "--seeds", "3,17", "--out", tmp_path, "--bit-depth", "24")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kick_s000003.json", "kick_s000003.wav",
                                                          "kick_s000017.json", "kick_s000017.wav"]
    code, err = kickgan(capsys, "generate", run_dir, "--seeds", "3", "--out", tmp_path)
    assert code == 1 and err.count("\n") == 1 and "use --force" in err


def test_cli_names_a_missing_corrupt_or_foreign_checkpoint_on_one_line(tmp_path, capsys):
    (tmp_path / "corrupt.pt").write_bytes(b"\x00not a checkpoint")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "foreign.pt")
    for name, reason in [("missing.pt", "no such checkpoint"), ("corrupt.pt", "cannot read checkpoint"), ("foreign.pt", "not a kickgan checkpoint")]:
        code, err = kickgan(capsys, "generate", tmp_path / name, "-n", "1", "--out", tmp_path / "out")
        assert code == 1 and err.count("\n") == 1
        assert err.startswith(f"kickgan generate: error: {tmp_path / name}: ") and reason in err
    assert not (tmp_path / "out").exists()


def test_bench_generate_writes_json_and_appends_a_markdown_section(run_dir, tmp_path, capsys):
    md = tmp_path / "docs" / "benchmarks.md"
    args = [str(run_dir), "--n", "3", "--repeats", "2", "--threads", "1", "--markdown", str(md)]
    assert run_one("kickgan.producer.bench", args + ["--json", str(tmp_path / "b.json")], "kickgan bench generate") == 0
    assert run_one("kickgan.producer.bench", args, "kickgan bench generate") == 0
    result = read_json(tmp_path / "b.json")
    assert result["throughput"]["n"] == 3 and result["latency_ms"]["repeats"] == 2
    assert result["steering"]["pitch_plus_1_ms"] > 0 and "Steering one kick by `--pitch +1` adds" in md.read_text()
    assert 0 < result["latency_ms"]["total_min"] <= result["latency_ms"]["total"]
    text = md.read_text()
    assert text.startswith("# Benchmarks\n") and text.count("## kickgan bench generate") == 2
