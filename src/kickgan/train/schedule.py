"""Learning-rate decay over a run: a pure schedule of the run's progress, applied to the solver's optimisers.

Progress is the share of the run done: training time over the time budget when the run has one
(``time_budget_minutes``, counted on the run's ``budget_clock``), else steps over ``steps``. So a run
given twice the budget decays over twice the time, and a resumed run continues where it stopped.
"""

from __future__ import annotations

import math

import torch

from kickgan.config import TrainConfig


def lr_scale(kind: str, progress: float, start: float, final: float) -> float:
    """The learning-rate multiplier at ``progress`` in [0, 1]: 1 until ``start``, then down to
    ``final`` at 1, linearly or along a half cosine; ``kind`` ``none`` is always 1.

    >>> lr_scale("linear", 0.75, start=0.5, final=0.0)
    0.5
    """
    if kind == "none" or progress <= start:
        return 1.0
    t = min(1.0, (progress - start) / (1.0 - start))
    shape = t if kind == "linear" else (1.0 - math.cos(math.pi * t)) / 2.0
    return 1.0 - (1.0 - final) * shape


def run_progress(cfg: TrainConfig, train_seconds: float, step: int) -> float:
    """The share of ``cfg``'s run that ``train_seconds`` of training and ``step`` steps make."""
    budget = cfg.time_budget_minutes * 60
    return train_seconds / budget if budget > 0 else step / cfg.steps


def follow_schedule(solver, cfg: TrainConfig, train_seconds: float, step: int) -> None:
    """Set ``solver.optimizers()``' learning rates to what ``cfg``'s decay gives at this point of the
    run; with ``lr_decay: none`` the solver is not asked (a solver needs ``optimizers()`` only to decay)."""
    if cfg.lr_decay != "none":
        progress = run_progress(cfg, train_seconds, step)
        apply_lr_scale(solver.optimizers(), lr_scale(cfg.lr_decay, progress, cfg.lr_decay_start, cfg.lr_decay_final))


def apply_lr_scale(optimizers: list[torch.optim.Optimizer], scale: float) -> None:
    """Set every parameter group's learning rate to ``scale`` times its initial one (remembered in
    the group as ``initial_lr``, so it travels in the optimiser's state dict)."""
    for opt in optimizers:
        for group in opt.param_groups:
            group.setdefault("initial_lr", group["lr"])
            group["lr"] = group["initial_lr"] * scale
