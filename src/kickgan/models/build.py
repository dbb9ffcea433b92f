"""``build_models``: a ``ModelConfig`` and a data shape in, an initialised (G, D) pair out."""

from __future__ import annotations

from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

from kickgan.models.blocks import Discriminator, Generator
from kickgan.models.config import ModelConfig
from kickgan.models.dcgan import build_dcgan, init_dcgan
from kickgan.models.donahue import build_specgan, build_wavegan, init_glorot

_BUILDERS = {
    "dcgan": (build_dcgan, init_dcgan),
    "specgan": (build_specgan, init_glorot),
    "wavegan": (build_wavegan, init_glorot),
}


def build_models(cfg: ModelConfig, shape: tuple[int, ...]) -> tuple[Generator, Discriminator]:
    """Build and initialise G and D for data of ``shape`` (``rep.shape``).

    shape: ``(C, F, N)`` for spectrograms (C = 1 for logmag, 2 for complex / mag_if; F, N powers
    of two) or ``(1, T)`` for waves (wavegan). G(z [B,z_dim]) -> x [B,*shape] in [-1, 1];
    D(x) -> logits [B]. Weights are drawn from torch's global RNG: seed it first for
    reproducible models. Raises ``ParameterError`` for a shape the architecture cannot make.
    """
    build, init = _BUILDERS[cfg.arch]
    generator, discriminator = build(cfg, tuple(shape))
    init(generator)
    init(discriminator)
    _refresh_spectral_norm(discriminator)
    return generator, discriminator


def _refresh_spectral_norm(module: nn.Module) -> None:
    """Apply spectral norm again to the initialised weights: its power-iteration vectors were
    drawn for the weights before ``init``, so the first step's weights would not have norm 1."""
    for m in [m for m in module.modules() if parametrize.is_parametrized(m, "weight")]:
        parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
        spectral_norm(m)
