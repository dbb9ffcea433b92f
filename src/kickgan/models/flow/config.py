"""The flow family's config sections: ``FlowModel`` (the velocity network and its sampler),
``FlowLoss`` (the flow-matching objective) and ``FlowOptim`` (Adam); :func:`check_flow` checks them
against the rest of the run's config.

The latent of a flow is the noise the ODE starts from, of the spectrogram's own shape, so
``z_dim`` is ``C * F * N`` of the representation (8192 for the default 1 x 128 x 64); ``latent`` is
``normal`` only (the flow's source distribution is N(0, I)).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from math import prod
from typing import Any

from kickgan.checks import above, at_least, choice, integer
from kickgan.errors import ParameterError

FLOW_ARCHS = ("flow",)
METHODS = ("euler", "midpoint")
TIME_SAMPLINGS = ("uniform", "logit_normal")


@dataclass(frozen=True)
class FlowModel:
    """The velocity network ``v(x_t, t)`` (a conv U-Net) and how the generator integrates it.

    z_dim: ``C * F * N`` of the representation (the noise is a spectrogram-shaped tensor).
    width: channels of the U-Net's first level; level ``l`` has ``width * 2**l``.
    levels: resolution levels (each halves F and N). blocks: residual blocks per level and side.
    time_dim: size of the sinusoidal time embedding. groups: GroupNorm groups (at most; fewer when
    a level's channels are not divisible). sample_steps / method: the fixed-step ODE solver of the
    generator (``euler``: one network evaluation per step; ``midpoint``: two).
    """

    arch: str = "flow"
    z_dim: int = 8192
    latent: str = "normal"
    width: int = 32
    levels: int = 3
    blocks: int = 1
    time_dim: int = 64
    groups: int = 8
    sample_steps: int = 16
    method: str = "euler"

    def __post_init__(self) -> None:
        choice("arch", self.arch, FLOW_ARCHS)
        choice("latent", self.latent, ("normal",))
        choice("method", self.method, METHODS)
        for key in ("z_dim", "width", "levels", "blocks", "time_dim", "groups", "sample_steps"):
            integer(key, getattr(self, key))
        if self.time_dim % 2:
            raise ParameterError(f"time_dim: must be even (sines and cosines; got {self.time_dim})")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class FlowLoss:
    """Conditional flow matching (Lipman et al. 2023) on the straight path ``x_t = (1 - t) z + t x``
    of rectified flow (Liu et al. 2023): the network regresses ``x - z`` by mean squared error.

    time: how ``t`` is drawn, ``uniform`` U(0, 1) or ``logit_normal`` (``sigmoid`` of
    N(logit_mean, logit_std), Esser et al. 2024), which spends more updates on the middle of the path.
    """

    time: str = "uniform"
    logit_mean: float = 0.0
    logit_std: float = 1.0

    def __post_init__(self) -> None:
        choice("time", self.time, TIME_SAMPLINGS)
        above("logit_std", self.logit_std, 0.0)


@dataclass(frozen=True)
class FlowOptim:
    """Adam on the velocity network; ``grad_clip`` > 0 clips the gradient's global norm."""

    lr: float = 2e-4
    betas: tuple[float, float] = (0.9, 0.999)
    grad_clip: float = 1.0

    def __post_init__(self) -> None:
        above("lr", self.lr, 0.0)
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ParameterError(f"betas: each must be in [0, 1) (got {list(self.betas)})")
        at_least("grad_clip", self.grad_clip, 0.0)


def check_flow(cfg: Any) -> None:
    """The flow's sections against the run: ``z_dim`` is the representation's size, the U-Net's
    levels halve its frequency and time axes evenly, and the precision is fp32 or bf16.
    Raises ``ParameterError``."""
    shape = tuple(cfg.representation.shape)
    if len(shape) != 3:
        raise ParameterError(f"model.arch: flow works on spectrograms [C, F, N] (got representation shape {list(shape)})")
    if cfg.precision == "fp16":
        raise ParameterError("precision: the flow family trains in fp32 or bf16 (it has no gradient scaler; got fp16)")
    model = cfg.model
    if model.z_dim != prod(shape):
        raise ParameterError(f"model.z_dim: a flow's latent is spectrogram-shaped, C*F*N = {prod(shape)} for "
                             f"{'x'.join(map(str, shape))} (got {model.z_dim})")
    factor = 2 ** (model.levels - 1)
    if shape[1] % factor or shape[2] % factor:
        raise ParameterError(f"model.levels: {model.levels} levels halve F and N {model.levels - 1} times; "
                             f"{shape[1]} x {shape[2]} is not divisible by {factor}")
