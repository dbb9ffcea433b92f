"""DCGAN on spectrograms, after Radford et al. (ICLR 2016), sized for any (C, F, N).

G projects z to a ``c0 x F0 x N0`` map with a transposed convolution (Radford's "project
and reshape") and doubles both axes L times with stride-2 upsampling, batch norm and ReLU,
ending in tanh. D mirrors it: stride-2 convolutions with LeakyReLU (no norm on the first),
no pooling, and a final convolution that covers the remaining ``F0 x N0`` map.

L is chosen so that the smaller axis starts at 4 (``L = log2(min(F, N)) - 2``); channel
widths are ``d * 2^i`` capped at 16 d, so 128 x 128 gives SpecGAN's 16 d ... d ladder.
"""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from kickgan.models.blocks import (
    Discriminator,
    Generator,
    conv,
    durall_output,
    maybe_spectral,
    norm,
    upsample,
)
from kickgan.models.config import ModelConfig
from kickgan.models.shapes import check_spec_shape

MAX_MULT = 16


def _widths(width: int, layers: int) -> list[int]:
    """Channels after each of D's stride-2 layers: d, 2d, 4d, ... capped at 16 d."""
    return [width * min(2**i, MAX_MULT) for i in range(layers)]


def build_dcgan(cfg: ModelConfig, shape: tuple[int, ...]) -> tuple[Generator, Discriminator]:
    """G(z [B,z_dim]) -> spec [B,C,F,N]; D(spec) -> logits [B]."""
    channels, n_freq, n_frames = check_spec_shape(shape, min_size=8)
    layers = min(n_freq, n_frames).bit_length() - 3  # min(F, N) / 2^L == 4
    start = (n_freq >> layers, n_frames >> layers)
    widths = _widths(cfg.width, layers)
    return _generator(cfg, channels, start, widths, shape), _discriminator(cfg, channels, start, widths, shape)


def _generator(cfg: ModelConfig, channels: int, start: tuple[int, int], widths: list[int], shape) -> Generator:
    k, bn = cfg.kernel, cfg.g_norm == "batch"
    up = list(reversed(widths))  # 16d ... d
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    blocks["project"] = nn.Sequential(  # (up[0]) x F0 x N0
        nn.Unflatten(1, (cfg.z_dim, 1, 1)),
        nn.ConvTranspose2d(cfg.z_dim, up[0], start, bias=not bn),
        norm(cfg.g_norm, 2, up[0]),
        nn.ReLU(),
    )
    for i in range(1, len(up)):  # (up[i]) x F0*2^i x N0*2^i
        mode = "nearest" if cfg.upsample == "nearest" else "transposed"
        blocks[f"up{i}"] = nn.Sequential(
            upsample(mode, 2, up[i - 1], up[i], k, 2, bias=not bn), norm(cfg.g_norm, 2, up[i]), nn.ReLU()
        )
    if cfg.upsample == "durall":  # C x F x N
        last = durall_output(2, up[-1], channels, k, 2)
    else:
        last = upsample(cfg.upsample, 2, up[-1], channels, k, 2)
    blocks["out"] = nn.Sequential(last, nn.Tanh())
    return Generator(blocks, cfg.z_dim, shape)


def _discriminator(cfg: ModelConfig, channels: int, start: tuple[int, int], widths: list[int], shape) -> Discriminator:
    k, sn = cfg.kernel, cfg.d_norm
    blocks: OrderedDict[str, nn.Module] = OrderedDict()
    c_in = channels
    for i, c_out in enumerate(widths, start=1):  # (c_out) x F/2^i x N/2^i
        layer_norm = "none" if i == 1 else cfg.d_norm  # Radford: no norm on D's input layer
        blocks[f"down{i}"] = nn.Sequential(
            maybe_spectral(conv(2, c_in, c_out, k, 2, bias=layer_norm != "batch"), sn),
            norm(layer_norm, 2, c_out),
            nn.LeakyReLU(cfg.leak),
        )
        c_in = c_out
    blocks["out"] = nn.Sequential(  # logits [B]
        maybe_spectral(nn.Conv2d(c_in, 1, start), sn),
        nn.Flatten(0),
    )
    return Discriminator(blocks, shape)


def init_dcgan(module: nn.Module) -> None:
    """Radford et al.'s initialisation: weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.Linear)):
            weight = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.normal_(weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
