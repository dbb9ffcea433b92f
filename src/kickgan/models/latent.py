"""Latent vectors whose identity is a seed: latent i depends only on ``seeds[i]``."""

from __future__ import annotations

from typing import Sequence

import torch

from kickgan.errors import ParameterError
from kickgan.models.config import ModelConfig

MAX_SEED = 2**63 - 1


def sample_latents(cfg: ModelConfig, seeds: Sequence[int]) -> torch.Tensor:
    """Return z [len(seeds), z_dim] float32 on the CPU, one ``torch.Generator`` per seed.

    ``cfg.latent`` picks the prior: ``normal`` (N(0, 1), DCGAN) or ``uniform`` (U(-1, 1),
    SpecGAN / WaveGAN as published). The same seed gives the same vector in any batch.
    """
    rows = []
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise ParameterError(f"seed: must be an integer in [0, 2^63), got {seed!r}")
        gen = torch.Generator().manual_seed(seed)
        if cfg.latent == "normal":
            rows.append(torch.randn(cfg.z_dim, generator=gen))
        else:
            rows.append(torch.rand(cfg.z_dim, generator=gen) * 2 - 1)
    if not rows:
        return torch.empty(0, cfg.z_dim)
    return torch.stack(rows)
