"""KickSampler: a checkpoint as seeds-in, kicks-out; the same kicks as the run's own previews."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from kickgan.checkpoints import FORMAT
from kickgan.config import load_config
from kickgan.errors import KickganError
from kickgan.sampler import KickSampler
from kickgan.train import train

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    cfg = load_config(TINY, ["steps=4", "ckpt_every=2", "preview_every=2", "best_metric=none", "device=cpu"])
    return train(cfg, out=tmp_path_factory.mktemp("sampler") / "run", progress=False)


def test_properties_and_hash(run):
    s = KickSampler.from_checkpoint(run)  # no best.pt (best_metric none): latest.pt
    assert s.path == run / "checkpoints" / "latest.pt"
    assert (s.sr, s.length, s.z_dim) == (8000, 2048, 16)
    assert s.checkpoint_hash == hashlib.sha256(s.path.read_bytes()).hexdigest()


def test_generate_matches_the_runs_previews(run):
    s = KickSampler.from_checkpoint(run / "checkpoints" / "latest.pt")
    y = s.generate([0, 1, 2, 3])
    assert y.shape == (4, 2048) and y.dtype == np.float32 and np.isfinite(y).all()
    for seed in range(4):  # previews at the last step were written from the same EMA generator and seeds
        preview, sr = sf.read(run / "previews" / "step_0000004" / f"seed{seed:04d}.wav", dtype="float32")
        assert sr == s.sr
        np.testing.assert_allclose(y[seed], preview, atol=1.5 / 32768)  # 16-bit WAV quantisation


def test_a_seed_is_an_identity(run):
    s = KickSampler.from_checkpoint(run)
    np.testing.assert_allclose(s.generate([3])[0], s.generate([7, 3, 5])[1], atol=1e-6)
    z = s.latents([3, 9])
    assert z.shape == (2, 16)
    np.testing.assert_array_equal(s.decode(z).squeeze(1).numpy(), s.generate([3, 9], raw=True))
    with pytest.raises(KickganError, match=r"decode: expected z \[B, 16\]"):
        s.decode(torch.zeros(2, 5))


def test_refuses_missing_and_pickled_checkpoints(tmp_path):
    with pytest.raises(KickganError, match="no such checkpoint or run folder"):
        KickSampler.from_checkpoint(tmp_path / "nothing")
    torch.save({"format": FORMAT, "G": torch.nn.Linear(1, 1)}, tmp_path / "module.pt")
    with pytest.raises(KickganError, match="refusing checkpoint with a pickled payload"):
        KickSampler.from_checkpoint(tmp_path / "module.pt")


def test_exported_generator_makes_the_same_kicks_in_a_fifth_of_the_size(run, tmp_path, capsys):
    from kickgan.checkpoints import load_checkpoint
    from kickgan.cli.main import main as kickgan

    out = tmp_path / "model.pt"
    assert kickgan(["export", str(run), "--out", str(out)]) == 0
    full, slim = KickSampler.from_checkpoint(run), KickSampler.from_checkpoint(out)
    np.testing.assert_array_equal(slim.generate([0, 5]), full.generate([0, 5]))
    assert out.stat().st_size < full.path.stat().st_size / 4
    assert torch.load(out, weights_only=True)["source_hash"] == full.checkpoint_hash
    with pytest.raises(KickganError, match="model.pt: not a kickgan checkpoint"):  # no resuming from it
        load_checkpoint(out)
    assert kickgan(["export", str(run), "--out", str(out)]) == 1
    assert "model.pt: already exists (use --force" in capsys.readouterr().err


def test_the_test_model_makes_the_kicks_it_always_made():
    """Seeds 0 and 7 of tests/data/dcgan_wgangp_synth.pt, as main made them before the sampler,
    checkpoints and config moved out of train/ (bit-identical on the machine that wrote them)."""
    data = Path(__file__).parent / "data"
    y = KickSampler.from_checkpoint(data / "dcgan_wgangp_synth.pt").generate([0, 7], raw=True)
    np.testing.assert_allclose(y, np.load(data / "dcgan_wgangp_synth_seeds_0_7.npy"), atol=1e-4)
