"""Conditional flow matching on straight paths (Lipman et al., "Flow matching for generative
modeling", ICLR 2023; Liu et al., "Flow straight and fast: learning to generate and transfer data
with rectified flow", ICLR 2023).

A noise sample ``z`` and a data example ``x`` are joined by ``x_t = (1 - t) z + t x``, whose velocity
is ``x - z`` at every ``t``; a network ``v(x_t, t)`` regressing it by mean squared error learns the
velocity field whose ODE carries N(0, I) at ``t = 0`` to the data at ``t = 1``
(:func:`kickgan.models.flow.integrate`).

    t = sample_times(len(x), "logit_normal", generator)
    loss = flow_matching_loss(v, x, z, t)
"""

from __future__ import annotations

from typing import Callable

import torch


def interpolant(z: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """``x_t = (1 - t) z + t x`` for ``z``, ``x [B, ...]`` and ``t [B]``."""
    t = t.reshape(-1, *([1] * (x.dim() - 1))).to(x)
    return (1 - t) * z + t * x


def flow_matching_loss(velocity: Callable, x: torch.Tensor, z: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Mean squared error between ``velocity(x_t, t)`` and the path's velocity ``x - z`` (a 0-d tensor, in ``x``'s dtype)."""
    pred = velocity(interpolant(z, x, t), t).to(x.dtype)  # autocast outputs back to the data's precision
    return (pred - (x - z)).pow(2).mean()


def sample_times(n: int, kind: str, generator: torch.Generator, mean: float = 0.0, std: float = 1.0) -> torch.Tensor:
    """``t [n]`` in (0, 1): ``uniform``, or ``logit_normal`` (``sigmoid(N(mean, std))``, Esser et al. 2024)."""
    if kind == "uniform":
        return torch.rand(n, generator=generator)
    return torch.sigmoid(mean + std * torch.randn(n, generator=generator))
