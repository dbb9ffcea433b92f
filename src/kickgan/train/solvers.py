"""Model-family seam, training side: which solver trains a family's models.

A solver owns a family's networks, optimisers and random state during a run. The loop
(:mod:`kickgan.train.loop`) reaches it through :func:`make_solver` and this interface only::

    solver = make_solver(cfg, shape, info, real_profile)
    solver.batches_per_step             # real batches one train_step consumes (GAN: n_critic)
    scalars = solver.train_step(batches)
    solver.step                         # updates done
    solver.sampling_module              # what previews and checkpoints' sampling key hold (GAN: EMA of G)
    solver.critic                       # a module scoring examples, for validation's d_gap
    solver.modules()                    # name -> module, checked for finite weights before a save
    solver.state_dict() / solver.load_state_dict(state)

The family itself (archs, sampling generator, checkpoint key) is :mod:`kickgan.models.family`.
"""

from __future__ import annotations

from typing import Callable

import torch

from kickgan.config import TrainConfig
from kickgan.models.family import family_of
from kickgan.train.distributed import Dist
from kickgan.train.trainer import Trainer

SOLVERS: dict[str, Callable[..., Trainer]] = {"gan": Trainer}


def make_solver(cfg: TrainConfig, shape: tuple, info: Dist, real_profile: torch.Tensor | None = None):
    """The solver of ``cfg.model``'s family, built for data of ``shape`` on ``info.device``."""
    return SOLVERS[family_of(cfg.model).name](cfg, shape, info, real_profile)
