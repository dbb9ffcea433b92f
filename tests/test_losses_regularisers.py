"""Durall's spectral regulariser, DiffAugment and the EMA of G."""

import math

import pytest
import torch
from torch import nn

from kickgan.errors import ParameterError
from kickgan.losses import durall_loss, spectral_profile
from kickgan.modules import DEFAULT_POLICY, OPS, diff_augment, parse_policy
from kickgan.train.ema import EMA
from kickgan.models import ModelConfig, build_models, sample_latents


def _tiny_dcgan():
    torch.manual_seed(0)
    cfg = ModelConfig(arch="dcgan", width=4, d_norm="none")
    return cfg, *build_models(cfg, (1, 32, 16))


def test_spectral_profile_shapes_and_range():
    spec = spectral_profile(torch.randn(3, 2, 32, 16))
    wave = spectral_profile(torch.randn(3, 1, 1024))
    assert spec.shape == (3, int(math.sqrt(0.5) * 16) + 1) and wave.shape == (3, 256)
    for p in (spec, wave):
        assert p.min() >= 1e-3 - 1e-7 and p.max() <= 1 - 1e-3 + 1e-7
        assert torch.allclose(p.amin(1), torch.full((3,), 1e-3)) and torch.allclose(p.amax(1), torch.full((3,), 0.999))


def test_spectral_profile_sees_a_checkerboard():
    smooth = torch.ones(1, 1, 32, 32) + 0.01 * torch.randn(1, 1, 32, 32)
    checker = smooth.clone()
    checker[..., ::2, ::2] += 1.0  # the period-2 pattern of a stride-2 transposed convolution
    # the checkerboard puts energy at the highest ring, so its normalised tail rises
    assert spectral_profile(checker)[0, -1] > spectral_profile(smooth)[0, -1] + 0.2


def test_durall_loss_is_smallest_at_the_real_profile():
    real = torch.randn(4, 1, 32, 16).cumsum(-1) / 8  # a red-ish spectrum
    target = spectral_profile(real).mean(0)
    matched = durall_loss(real, target)
    white = durall_loss(torch.randn(4, 1, 32, 16), target)
    assert matched < white


def test_durall_loss_passes_gradient_to_g():
    cfg, G, _ = _tiny_dcgan()
    real = torch.randn(4, 1, 32, 16).cumsum(-1) / 8
    loss = durall_loss(G(sample_latents(cfg, range(4))), spectral_profile(real).mean(0))
    loss.backward()
    grads = [p.grad for p in G.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(g.abs().sum() for g in grads) > 0


def test_descending_the_durall_gradient_moves_towards_the_real_profile():
    torch.manual_seed(0)
    target = spectral_profile(torch.randn(4, 1, 32, 16).cumsum(-1)).mean(0)
    x = torch.randn(4, 1, 32, 16, requires_grad=True)
    opt = torch.optim.Adam([x], lr=0.05)
    losses = []
    for _ in range(60):
        loss = durall_loss(x, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.1


def test_durall_loss_on_waves_passes_gradient():
    fake = torch.randn(2, 1, 512, requires_grad=True)
    durall_loss(fake, spectral_profile(torch.randn(2, 1, 512).cumsum(-1)).mean(0)).backward()
    assert fake.grad.abs().sum() > 0


def test_durall_refuses_other_shapes():
    with pytest.raises(ParameterError, match="durall: expected spec"):
        spectral_profile(torch.randn(4, 16))


@pytest.mark.parametrize("shape", [(4, 2, 32, 16), (4, 1, 512)])
def test_diff_augment_is_reproducible_per_seed(shape):
    x = torch.randn(shape)
    policy = ",".join(OPS)
    a = diff_augment(x, policy, torch.Generator().manual_seed(5))
    b = diff_augment(x, policy, torch.Generator().manual_seed(5))
    c = diff_augment(x, policy, torch.Generator().manual_seed(6))
    assert a.shape == x.shape
    assert torch.equal(a, b) and not torch.equal(a, c) and not torch.equal(a, x)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("shape", [(3, 1, 16, 32), (3, 1, 256)])
def test_each_op_is_differentiable(op, shape):
    x = torch.randn(shape, requires_grad=True)
    diff_augment(x, op, torch.Generator().manual_seed(0)).pow(2).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_shift_only_delays_circularly():
    x = torch.randn(8, 1, 64)
    y = diff_augment(x, "shift", torch.Generator().manual_seed(0))
    delays = [next(k for k in range(5) if torch.equal(y[i], torch.roll(x[i], k, -1))) for i in range(8)]
    assert all(0 <= k <= 4 for k in delays) and len(set(delays)) > 1  # 64 / 16 = 4 samples at most


def test_gain_stays_within_six_db():
    x = torch.ones(32, 1, 8)
    y = diff_augment(x, "gain", torch.Generator().manual_seed(0))
    assert y.max() <= 1 and y.min() >= 10 ** (-6 / 20) - 1e-6


def test_masks_zero_at_most_an_eighth():
    x = torch.ones(16, 1, 64, 64)
    for op, across in (("freqmask", -1), ("timemask", -2)):  # a masked row / column is zero across the other axis
        y = diff_augment(x, op, torch.Generator().manual_seed(1))
        zeroed = (y == 0).all(dim=across)  # [B, 1, 64]
        assert zeroed.sum(-1).max() <= 64 // 8 and zeroed.any()
        assert ((y == 0) | (y == 1)).all()


def test_default_policies_parse_and_bad_ops_raise():
    for policy in DEFAULT_POLICY.values():
        assert set(parse_policy(policy)) <= set(OPS)
    assert parse_policy("") == ()
    assert torch.equal(diff_augment(torch.ones(2, 1, 8), "", torch.Generator()), torch.ones(2, 1, 8))
    with pytest.raises(ParameterError, match="unknown op\\(s\\) flip"):
        parse_policy("shift, flip")


def _net():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def test_ema_decay_zero_copies_and_decay_one_keeps():
    torch.manual_seed(0)
    G = _net()
    G(torch.randn(8, 3))  # move the batch-norm statistics
    start = _net().state_dict()
    for decay, expected in ((0.0, G.state_dict()), (1.0, None)):
        ema = EMA(_net(), decay)
        ema.model.load_state_dict(start)
        ema.update(G)
        for name, value in ema.model.state_dict().items():
            if expected is not None:
                assert torch.equal(value, expected[name]), name
            elif "running" not in name and "num_batches" not in name:
                assert torch.equal(value, start[name]), name  # parameters kept
            else:
                assert torch.equal(value, G.state_dict()[name]), name  # buffers copied


def test_ema_half_decay_averages_and_state_round_trips():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    ema = EMA(a, 0.5)
    ema.update(b)
    assert torch.allclose(ema.model.weight, (a.weight + b.weight) / 2)
    assert not ema.model.training and not ema.model.weight.requires_grad
    other = EMA(nn.Linear(2, 2), 0.9)
    other.load_state_dict(ema.state_dict())
    assert other.decay == 0.5 and torch.equal(other.model.weight, ema.model.weight)
    with pytest.raises(ParameterError, match="ema decay"):
        EMA(a, 1.5)
