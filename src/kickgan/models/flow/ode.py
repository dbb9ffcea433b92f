"""The flow family's generator: noise ``z`` integrated along the learnt velocity field to a spectrogram.

The ODE ``dx/dt = v(x, t)`` runs from ``t = 0`` (``x = z`` ~ N(0, I)) to ``t = 1`` (the data) with a
fixed number of equal steps, so a latent always gives the same spectrogram and the whole path is
differentiable in ``z`` (encode and the controls take gradients through it).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from kickgan.models.flow.config import FlowModel
from kickgan.models.flow.unet import VelocityUNet

Velocity = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def integrate(velocity: Velocity, x0: torch.Tensor, steps: int, method: str = "euler") -> torch.Tensor:
    """``x(1)`` of ``dx/dt = velocity(x, t)`` from ``x(0) = x0 [B, ...]``, in ``steps`` equal steps.

    ``euler``: ``x += h v(x, t)``; ``midpoint``: ``x += h v(x + h/2 v(x, t), t + h/2)`` (second order,
    two evaluations per step). ``velocity`` takes ``x`` and ``t [B]``.
    """
    h = 1.0 / steps
    x = x0
    for k in range(steps):
        t = x.new_full((len(x),), k * h)
        v = velocity(x, t)
        if method == "midpoint":
            v = velocity(x + (h / 2) * v, t + h / 2)
        x = x + h * v
    return x


class FlowODE(nn.Module):
    """``x0 [B,*shape] -> x1 [B,*shape]``: :func:`integrate` of the velocity network ``net``."""

    def __init__(self, net: nn.Module, steps: int, method: str):
        super().__init__()
        self.net, self.steps, self.method = net, steps, method

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        return integrate(self.net, x0, self.steps, self.method)


class FlowGenerator(nn.Module):
    """``z [B, z_dim] -> x [B, *shape]`` in [-1, 1]: ``z`` reshaped to the spectrogram, integrated, clipped
    to the representation's range. Named blocks run in order (``kickgan.models.layer_table``)."""

    def __init__(self, cfg: FlowModel, shape: tuple[int, ...]):
        super().__init__()
        self.unflatten = nn.Unflatten(1, tuple(shape))  # [B, z_dim] -> [B, C, F, N]
        net = VelocityUNet(shape[0], cfg.width, cfg.levels, cfg.blocks, cfg.time_dim, cfg.groups)
        self.flow = FlowODE(net, cfg.sample_steps, cfg.method)

    @property
    def velocity(self) -> nn.Module:
        """The velocity network ``v(x_t, t)`` the solver trains."""
        return self.flow.net

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.flow(self.unflatten(z)).clamp(-1.0, 1.0)
