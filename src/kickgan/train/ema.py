"""An exponential moving average of G's weights, used for sampling (Karras et al. 2018; Yazici et al. 2019)."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from kickgan.errors import ParameterError


class EMA:
    """``ema.model`` tracks ``decay * ema + (1 - decay) * G`` for parameters; buffers are copied.

    The averaged copy is in eval mode and never requires gradients. ``state_dict()`` holds
    the averaged weights and the decay, so a checkpoint restores it exactly.
    """

    def __init__(self, model: nn.Module, decay: float = 0.999):
        self.decay = _check_decay(decay)
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Move the average one step towards ``model`` (same architecture)."""
        for avg, new in zip(self.model.parameters(), model.parameters(), strict=True):
            avg.lerp_(new.detach(), 1.0 - self.decay)
        for avg, new in zip(self.model.buffers(), model.buffers(), strict=True):
            avg.copy_(new)

    def state_dict(self) -> dict[str, Any]:
        return {"decay": self.decay, "model": self.model.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.decay = _check_decay(state["decay"])
        self.model.load_state_dict(state["model"])


def _check_decay(decay: float) -> float:
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 <= decay <= 1:
        raise ParameterError(f"ema decay: must be a number in [0, 1], got {decay!r}")
    return float(decay)
