"""Encoding your own kick: GAN inversion finds a kick made from a known latent again."""

from pathlib import Path

import numpy as np
import pytest
import torch

from kickgan.config import load_config
from kickgan.io import write_wav
from kickgan.producer.encode import VARIATION_SEED, distance, encode, invert, mrstft_distance
from kickgan.producer.export import read_sidecar
from kickgan.sampler import KickSampler
from kickgan.train import train

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"


@pytest.fixture(scope="module")
def sampler(tmp_path_factory):
    """The tiny config trained 200 steps on 128 synthesised kicks (about 20 s on one busy core):
    enough for its kicks to depend on the latent (fewer steps give near-identical kicks)."""
    cfg = load_config(TINY, ["steps=200", "ckpt_every=200", "preview_every=200"])
    run = train(cfg, data="synth:128", out=tmp_path_factory.mktemp("run") / "tiny", progress=False)
    return KickSampler.from_checkpoint(run)


def test_distance_is_zero_for_the_same_kick_and_ignores_level():
    t = torch.arange(4096) / 8000
    kick = (torch.exp(-t / 0.1) * torch.sin(2 * torch.pi * 60 * t))[None, None]
    same = distance(kick, 0.3 * kick, 8000)
    assert float(same["total"]) < 1e-5
    assert float(mrstft_distance(kick, torch.roll(kick, 400, dims=-1))) > 0.1


@pytest.mark.parametrize("seed", [123, 456])
def test_inversion_recovers_a_kick_made_from_a_known_latent(sampler, seed):
    target = sampler.decode(sampler.latents([seed]))
    with torch.no_grad():
        others = distance(sampler.decode(sampler.latents(list(range(500, 532)))), target.expand(32, -1, -1), sampler.sr)
    z, dist = invert(sampler, target, starts=16, refine=4, steps=100)
    assert dist["final"]["total"] < 0.8 * dist["start"]  # refining beats the best random start
    # measured (seeds 123 / 456 / 789): final 0.11 / 0.36 / 0.31; median distance of 32 random
    # kicks 0.62 / 0.73 / 0.93, the closest of them 0.36 / 0.45 / 0.74; best random start 0.34 / 0.60 / 0.72
    assert dist["final"]["total"] < 0.6 * float(others["total"].median())
    assert dist["final"]["total"] < float(others["total"].min())
    with torch.no_grad():
        again = distance(sampler.decode(z[None]), target, sampler.sr)["total"]
    assert float(again) == pytest.approx(dist["final"]["total"], rel=1e-5)


def test_encode_writes_the_closest_kick_its_variations_and_the_distance(sampler, tmp_path):
    kick = tmp_path / "my_kick.wav"
    write_wav(kick, sampler.generate([456])[0], sampler.sr, subtype="FLOAT")
    summary = encode(sampler, kick, tmp_path / "out", n_variations=3, spread=0.3, starts=8, refine=2, steps=10)
    names = ["my_kick_encoded.wav", "my_kick_var01.wav", "my_kick_var02.wav", "my_kick_var03.wav"]
    assert summary["files"] == names
    latents = []
    for name in names:
        assert (tmp_path / "out" / name).is_file()
        latents.append(np.asarray(read_sidecar(tmp_path / "out" / name)["latent"]))
    offsets = np.linalg.norm(np.asarray(latents[1:]) - latents[0], axis=1)
    priors = np.linalg.norm(sampler.latents([VARIATION_SEED + i for i in range(3)]).numpy(), axis=1)
    assert np.allclose(offsets, 0.3 * priors, rtol=1e-4)  # spread is in units of the prior's draws
    assert (tmp_path / "out" / "my_kick_encode.json").is_file()
