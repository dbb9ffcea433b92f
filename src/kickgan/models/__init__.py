"""Generators and discriminators: DCGAN on spectrograms, SpecGAN and WaveGAN (Donahue et al. 2019).

    cfg = ModelConfig(arch="dcgan", width=32)
    check_compatible(cfg, "bce")                      # loss / critic combinations
    G, D = build_models(cfg, rep.shape)               # (C, F, N) or (1, T)
    z = sample_latents(cfg, [0, 1, 2])                # seeds are identities
    print(format_layer_table(G, (cfg.z_dim,), "G"))
"""

from kickgan.models.blocks import Discriminator, Generator, PhaseShuffle, phase_shift
from kickgan.models.build import build_models
from kickgan.models.config import ModelConfig, check_compatible
from kickgan.models.latent import sample_latents
from kickgan.models.summary import count_parameters, format_layer_table, layer_table

__all__ = [
    "Discriminator",
    "Generator",
    "ModelConfig",
    "PhaseShuffle",
    "build_models",
    "check_compatible",
    "count_parameters",
    "format_layer_table",
    "layer_table",
    "phase_shift",
    "sample_latents",
]
