"""Known answers for the adversarial losses, the gradient penalties and the LeCam regulariser."""

import math

import pytest
import torch
from torch import nn

from kickgan.errors import ParameterError
from kickgan.losses import d_loss, g_loss, gradient_penalty, lecam_penalty, r1_penalty


def test_bce_on_perfectly_separated_logits_is_near_zero():
    real, fake = torch.full((8,), 30.0), torch.full((8,), -30.0)
    assert d_loss("bce", real, fake) < 1e-12
    assert g_loss("bce", -fake) < 1e-12  # G fooling D completely


def test_bce_at_chance_is_log_two_per_term():
    zeros = torch.zeros(4)
    assert d_loss("bce", zeros, zeros).item() == pytest.approx(2 * math.log(2))
    assert g_loss("bce", zeros).item() == pytest.approx(math.log(2))


def test_bce_is_non_saturating_for_g():
    fake = torch.tensor([-20.0], requires_grad=True)  # D confidently rejects the fake
    g_loss("bce", fake).backward()
    assert fake.grad.item() == pytest.approx(-1.0, abs=1e-6)


def test_wgan_and_hinge_on_hand_computed_logits():
    real = torch.tensor([2.0, 0.5, -1.0])
    fake = torch.tensor([-3.0, 0.0, 1.5])
    # wgan: mean(fake) - mean(real) = (-1.5 / 3) - (1.5 / 3) = -1
    assert d_loss("wgan-gp", real, fake).item() == pytest.approx(-1.0)
    # hinge: relu(1 - real) = [0, 0.5, 2] -> 2.5/3; relu(1 + fake) = [0, 1, 2.5] -> 3.5/3
    assert d_loss("hinge", real, fake).item() == pytest.approx(6.0 / 3)
    assert g_loss("wgan-gp", fake).item() == pytest.approx(0.5)
    assert g_loss("hinge", fake).item() == pytest.approx(0.5)


def test_unknown_kind_raises():
    with pytest.raises(ParameterError, match="loss: must be one of bce, wgan-gp, hinge \\(got 'ls'\\)"):
        d_loss("ls", torch.zeros(1), torch.zeros(1))
    with pytest.raises(ParameterError):
        g_loss("ls", torch.zeros(1))


class Linear(nn.Module):
    """D(x) = <w, x> (+ b), flattening [B,C,F,N] samples."""

    def __init__(self, weight: torch.Tensor):
        super().__init__()
        self.weight = nn.Parameter(weight)

    def forward(self, x):
        return x.flatten(1) @ self.weight.flatten() + 0.3


def _critic(norm: float, shape=(1, 4, 8)) -> Linear:
    w = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    return Linear(w / w.norm() * norm)


def test_gradient_penalty_of_unit_norm_linear_critic_is_zero():
    real, fake = torch.randn(5, 1, 4, 8), torch.randn(5, 1, 4, 8)
    assert gradient_penalty(_critic(1.0), real, fake).item() == pytest.approx(0.0, abs=1e-10)


def test_gradient_penalty_of_norm_three_linear_critic_is_four():
    real, fake = torch.randn(5, 1, 4, 8), torch.randn(5, 1, 4, 8)
    assert gradient_penalty(_critic(3.0), real, fake).item() == pytest.approx(4.0, rel=1e-5)  # (3 - 1)^2


def test_gradient_penalty_is_differentiable_and_reproducible():
    D = nn.Sequential(nn.Flatten(1), nn.Linear(32, 8), nn.Tanh(), nn.Linear(8, 1), nn.Flatten(0))
    real, fake = torch.randn(4, 1, 32), torch.randn(4, 1, 32)
    a = gradient_penalty(D, real, fake, torch.Generator().manual_seed(3))
    b = gradient_penalty(D, real, fake, torch.Generator().manual_seed(3))
    c = gradient_penalty(D, real, fake, torch.Generator().manual_seed(4))
    assert a.item() == b.item() != c.item()
    a.backward()
    # every weight shapes grad_x D; the output bias does not, so it gets no gradient
    weights = [p for name, p in D.named_parameters() if name.endswith("weight")]
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in weights)


def test_r1_of_linear_critic_is_the_squared_weight_norm():
    assert r1_penalty(_critic(1.5), torch.randn(6, 1, 4, 8)).item() == pytest.approx(2.25, rel=1e-5)


def test_r1_of_a_quadratic_critic():
    class Quadratic(nn.Module):  # D(x) = 0.5 |x|^2, so grad = x and R1 = mean |x|^2
        def forward(self, x):
            return 0.5 * x.flatten(1).pow(2).sum(1)

    x = torch.tensor([[[3.0, 4.0]], [[1.0, 0.0]]])
    assert r1_penalty(Quadratic(), x).item() == pytest.approx((25 + 1) / 2)


def test_lecam_penalises_real_logits_above_the_fake_anchor_and_fake_ones_below_the_real_anchor():
    real, fake = torch.tensor([2.0, 0.0]), torch.tensor([-1.0, 1.0])
    # real: relu([2, 0] - 0)^2 -> mean 2; fake: relu(1 - [-1, 1])^2 -> mean 2
    assert lecam_penalty(real, fake, torch.tensor(1.0), torch.tensor(0.0)).item() == pytest.approx(4.0)
    assert lecam_penalty(-real, -fake + 5, torch.tensor(1.0), torch.tensor(3.0)).item() == 0.0
    anchor = torch.tensor(0.5, requires_grad=True)
    real.requires_grad_(True)
    lecam_penalty(real, fake, anchor, anchor).backward()
    assert anchor.grad is None and real.grad.tolist() == pytest.approx([1.5, 0.0])  # d/dx of (x - 0.5)^2 / 2
