"""Penalties on D: the gradient penalties WGAN-GP (Gulrajani et al. 2017) and R1 (Mescheder et al. 2018),
and the LeCam regulariser (Tseng et al. 2021) on its outputs. Pure functions.

Both return the unweighted penalty; the caller multiplies by lambda (WGAN-GP, usually 10)
or gamma / 2 (R1) and, for lazy R1 (Karras et al. 2020), calls it every k-th D step and
scales by k. D must not use batch norm: the penalties are per-sample gradients.
``D`` may be any callable, e.g. a network run under autocast.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Critic = Callable[[torch.Tensor], torch.Tensor]


def _input_grad(D: Critic, x: torch.Tensor) -> torch.Tensor:
    """d sum(D(x)) / dx [B,...], keeping the graph so the penalty itself can be differentiated."""
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return grad.flatten(1)


def gradient_penalty(
    D: Critic, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """WGAN-GP: mean over the batch of (||grad_x D(x_hat)||_2 - 1)^2, x_hat = a real + (1 - a) fake.

    real, fake: [B,...] of the same shape; a ~ U(0, 1) per sample, drawn on the CPU from
    ``generator`` (or torch's global RNG) so it is reproducible on any device.
    """
    alpha = torch.rand(real.shape[0], generator=generator).to(real.device, real.dtype)
    alpha = alpha.view(-1, *([1] * (real.dim() - 1)))
    mixed = alpha * real.detach() + (1 - alpha) * fake.detach()
    grad = _input_grad(D, mixed)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def r1_penalty(D: Critic, real: torch.Tensor) -> torch.Tensor:
    """R1: mean over the batch of ||grad_x D(x)||_2^2 at real samples x [B,...]."""
    return _input_grad(D, real).pow(2).sum(dim=1).mean()


def lecam_penalty(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, anchor_real: torch.Tensor, anchor_fake: torch.Tensor
) -> torch.Tensor:
    """LeCam (Tseng et al., CVPR 2021, "Regularizing GANs under limited data"): mean of
    relu(D(x) - anchor_fake)^2 over the real logits plus mean of relu(anchor_real - D(G(z)))^2 over the
    fake ones, the anchors being moving averages of D's mean fake and real outputs. It keeps D's real
    and fake outputs from drifting apart, which is how a critic memorises a small training set.

    real_logits, fake_logits: ``[B]`` or ``[B,1]``; anchors: 0-d tensors (not differentiated).
    """
    real_term = torch.relu(real_logits - anchor_fake.detach()).pow(2).mean()
    fake_term = torch.relu(anchor_real.detach() - fake_logits).pow(2).mean()
    return real_term + fake_term
