"""Latents whose identity is a seed, and WaveGAN's phase shuffle."""

import pytest
import torch

from kickgan.errors import ParameterError
from kickgan.models import ModelConfig, PhaseShuffle, build_models, phase_shift, sample_latents


def test_latent_i_depends_only_on_seed_i():
    cfg = ModelConfig(arch="dcgan", z_dim=16)
    batch = sample_latents(cfg, [7, 3, 11])
    assert batch.shape == (3, 16) and batch.dtype == torch.float32
    assert torch.equal(batch[1], sample_latents(cfg, [3])[0])
    assert torch.equal(batch, torch.cat([sample_latents(cfg, [s]) for s in (7, 3, 11)]))
    assert not torch.equal(batch[0], batch[2])


def test_priors_follow_the_papers():
    seeds = list(range(64))
    normal = sample_latents(ModelConfig(arch="dcgan"), seeds)
    uniform = sample_latents(ModelConfig(arch="wavegan"), seeds)
    assert uniform.min() >= -1 and uniform.max() <= 1
    assert abs(uniform.var().item() - 1 / 3) < 0.02  # U(-1, 1) has variance 1/3
    assert abs(normal.std().item() - 1) < 0.03 and normal.abs().max() > 1


def test_empty_and_bad_seeds():
    cfg = ModelConfig(z_dim=5)
    assert sample_latents(cfg, []).shape == (0, 5)
    for bad in (-1, 1.5, True, 2**63):
        with pytest.raises(ParameterError, match="seed: must be an integer"):
            sample_latents(cfg, [bad])


def test_phase_shift_delays_and_advances_with_reflection():
    x = torch.arange(10.0).view(1, 1, 10)
    assert phase_shift(x, 2).flatten().tolist() == [2, 1, 0, 1, 2, 3, 4, 5, 6, 7]
    assert phase_shift(x, -2).flatten().tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 8, 7]
    assert torch.equal(phase_shift(x, 0), x)


def test_phase_shuffle_keeps_shape_and_only_shifts():
    torch.manual_seed(0)
    layer = PhaseShuffle(2).train()
    x = torch.randn(3, 4, 32)
    seen = set()
    for _ in range(60):
        y = layer(x)
        assert y.shape == x.shape
        shifts = [k for k in range(-2, 3) if torch.equal(y, phase_shift(x, k))]
        assert len(shifts) == 1  # one shift for the whole batch, as published
        seen.add(shifts[0])
    assert seen == {-2, -1, 0, 1, 2}


def test_phase_shuffle_is_off_in_eval_mode():
    x = torch.randn(2, 3, 16)
    assert torch.equal(PhaseShuffle(2).eval()(x), x)


def test_wavegan_discriminator_shuffles_after_all_but_its_last_layer():
    _, D = build_models(ModelConfig(arch="wavegan", width=2), (1, 8192))
    radii = [[m.radius for m in block.modules() if isinstance(m, PhaseShuffle)] for block in D]
    assert radii == [[2], [2], [2], [2], [], []]
