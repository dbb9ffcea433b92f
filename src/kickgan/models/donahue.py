"""SpecGAN and WaveGAN as published by Donahue, McAuley and Puckette (ICLR 2019), appendix tables.

Both are DCGAN variants with a dense projection ``z -> 16 x 16d`` (WaveGAN, 1-D) or
``z -> 4 x 4 x 16d`` (SpecGAN, 2-D), five upsampling layers with ReLU and no batch norm,
and a D that mirrors G with LeakyReLU(0.2), ending in a dense layer to one logit. At
d = 64 both G have 19,065,345 parameters and both D 17,427,969.

WaveGAN lengths follow the options of the authors' repository (v2): 16384 samples uses five
stride-4 layers; 32768 and 65536 add a sixth layer (stride 2 or 4) with the widths doubled
(32 d at the bottleneck). 8192 (our addition) keeps five layers and makes the last stride 2.
SpecGAN accepts any F, N that are powers of two >= 32 (published: 128 x 128); the projection
then starts at F/32 x N/32.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from torch import nn

from kickgan.models.blocks import (
    Discriminator,
    Generator,
    PhaseShuffle,
    conv,
    durall_output,
    maybe_spectral,
    norm,
    upsample,
)
from kickgan.models.config import ModelConfig
from kickgan.models.shapes import check_spec_shape, check_wave_shape

WAVEGAN_STRIDES = {
    8192: (4, 4, 4, 4, 2),
    16384: (4, 4, 4, 4, 4),
    32768: (4, 4, 4, 4, 4, 2),
    65536: (4, 4, 4, 4, 4, 4),
}
SPECGAN_STRIDES = (2, 2, 2, 2, 2)


def build_specgan(cfg: ModelConfig, shape: tuple[int, ...]) -> tuple[Generator, Discriminator]:
    """G(z [B,z_dim]) -> spec [B,C,F,N]; D(spec) -> logits [B]."""
    channels, n_freq, n_frames = check_spec_shape(shape, min_size=32)
    start = (n_freq // 32, n_frames // 32)
    return _build(cfg, 2, channels, start, SPECGAN_STRIDES, shape)


def build_wavegan(cfg: ModelConfig, shape: tuple[int, ...]) -> tuple[Generator, Discriminator]:
    """G(z [B,z_dim]) -> wave [B,1,T]; D(wave) -> logits [B]."""
    length = check_wave_shape(shape, tuple(WAVEGAN_STRIDES))
    strides = WAVEGAN_STRIDES[length]
    return _build(cfg, 1, 1, (length // math.prod(strides),), strides, shape)


def _build(cfg: ModelConfig, dim: int, channels: int, start: tuple[int, ...], strides, shape):
    widths = [cfg.width * 2**i for i in range(len(strides))]  # d, 2d, ..., 16d (or 32d)
    return (
        _generator(cfg, dim, channels, start, strides, widths[::-1], shape),
        _discriminator(cfg, dim, channels, start, strides, widths, shape),
    )


def _generator(cfg, dim, channels, start, strides, widths, shape) -> Generator:
    k, bn = cfg.kernel, cfg.g_norm == "batch"
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    blocks["project"] = nn.Sequential(  # (16d) x 16  or  (16d) x 4 x 4
        nn.Linear(cfg.z_dim, widths[0] * math.prod(start), bias=not bn),
        nn.Unflatten(1, (widths[0], *start)),
        norm(cfg.g_norm, dim, widths[0]),
        nn.ReLU(),
    )
    for i in range(1, len(widths)):  # (widths[i]) x (length * stride)
        mode = "nearest" if cfg.upsample == "nearest" else "transposed"
        blocks[f"up{i}"] = nn.Sequential(
            upsample(mode, dim, widths[i - 1], widths[i], k, strides[i - 1], bias=not bn),
            norm(cfg.g_norm, dim, widths[i]),
            nn.ReLU(),
        )
    if cfg.upsample == "durall":  # C x T  or  C x F x N
        last = durall_output(dim, widths[-1], channels, k, strides[-1])
    else:
        last = upsample(cfg.upsample, dim, widths[-1], channels, k, strides[-1])
    blocks["out"] = nn.Sequential(last, nn.Tanh())
    return Generator(blocks, cfg.z_dim, shape)


def _discriminator(cfg, dim, channels, start, strides, widths, shape) -> Discriminator:
    sn = cfg.d_norm
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    c_in = channels
    for i, (c_out, stride) in enumerate(zip(widths, strides), start=1):  # (c_out) x (length / stride)
        layer_norm = "none" if i == 1 else cfg.d_norm
        layers = [
            maybe_spectral(conv(dim, c_in, c_out, cfg.kernel, stride, bias=layer_norm != "batch"), sn),
            norm(layer_norm, dim, c_out),
            nn.LeakyReLU(cfg.leak),
        ]
        if cfg.phase_shuffle and i < len(widths):  # published: after every layer but the last
            layers.append(PhaseShuffle(cfg.phase_shuffle))
        blocks[f"down{i}"] = nn.Sequential(*layers)
        c_in = c_out
    blocks["out"] = nn.Sequential(  # logits [B]
        nn.Flatten(1),
        maybe_spectral(nn.Linear(c_in * math.prod(start), 1), sn),
        nn.Flatten(0),
    )
    return Discriminator(blocks, shape)


def init_glorot(module: nn.Module) -> None:
    """TensorFlow's layer defaults used by the published code: Glorot-uniform weights, zero biases."""
    for m in module.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.Linear)):
            weight = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.xavier_uniform_(weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
