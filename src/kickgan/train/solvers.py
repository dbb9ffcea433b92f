"""Model-family seam, training side: which solver trains a family's models.

A solver owns a family's networks, optimisers and random state during a run. The loop
(:mod:`kickgan.train.loop`) and ``kickgan bench train`` reach it through :func:`make_solver` and
this interface only::

    solver = make_solver(cfg, shape, info, reals)
    solver.batches_per_step             # real batches one train_step consumes (GAN: n_critic)
    scalars = solver.train_step(batches)
    solver.step                         # updates done
    solver.sampling_module              # what previews and checkpoints' sampling key hold (GAN: EMA of G)
    solver.critic                       # a module scoring examples, for validation's d_gap, or None
    solver.modules()                    # name -> module, checked for finite weights before a save
    solver.optimizers()                 # its optimisers, whose learning rates the loop's schedule sets
    solver.state_dict() / solver.load_state_dict(state)

A family registers its solver factory ``(cfg, shape, info, reals) -> solver`` in :data:`SOLVERS`
under its family name; ``reals`` are the training examples ``[N, *shape]`` (or ``None``), for
statistics a solver takes from the data before training (the GAN's Durall profile). The family
itself (archs, config sections, sampling generator, checkpoint keys) is :mod:`kickgan.models.family`.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from kickgan.config import TrainConfig
from kickgan.losses import spectral_profile
from kickgan.models.family import family_of
from kickgan.train.distributed import Dist
from kickgan.train.flow_solver import FlowSolver
from kickgan.train.trainer import Trainer


def _gan_solver(cfg: TrainConfig, shape: tuple, info: Dist, reals: torch.Tensor | None) -> Trainer:
    profile = spectral_profile(reals).mean(0) if reals is not None and cfg.loss.durall_weight > 0 else None
    return Trainer(cfg, shape, info, profile)


def _flow_solver(cfg: TrainConfig, shape: tuple, info: Dist, reals: torch.Tensor | None) -> FlowSolver:
    return FlowSolver(cfg, shape, info)


SOLVERS: dict[str, Callable[..., Any]] = {"gan": _gan_solver, "flow": _flow_solver}


def make_solver(cfg: TrainConfig, shape: tuple, info: Dist, reals: torch.Tensor | None = None):
    """The solver of ``cfg.model``'s family, built for data of ``shape`` on ``info.device``."""
    return SOLVERS[family_of(cfg.model).name](cfg, shape, info, reals)
