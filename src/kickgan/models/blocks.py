"""Building blocks shared by the generators and discriminators, for 1-D (waves) and 2-D (spectrograms).

Every convolution here keeps ``length / stride`` exactly ("same" padding), and every
upsampling multiplies it by ``stride`` exactly, so the shape comments in the builders hold
for any kernel length.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

_CONV = {1: nn.Conv1d, 2: nn.Conv2d}
_CONV_T = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d}
_BATCH_NORM = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d}


class Generator(nn.Sequential):
    """G(z [B,z_dim]) -> x [B,*shape] in [-1, 1]; named blocks run in order (see ``layer_table``)."""

    def __init__(self, blocks: dict[str, nn.Module], z_dim: int, shape: tuple[int, ...]):
        super().__init__(blocks)
        self.z_dim = z_dim
        self.shape = tuple(shape)


class Discriminator(nn.Sequential):
    """D(x [B,*shape]) -> logits [B] (no sigmoid, so the same network serves as a WGAN critic)."""

    def __init__(self, blocks: dict[str, nn.Module], shape: tuple[int, ...]):
        super().__init__(blocks)
        self.shape = tuple(shape)


def conv(dim: int, c_in: int, c_out: int, kernel: int, stride: int = 1, *, bias: bool = True) -> nn.Module:
    """Convolution mapping length L to L / stride (L divisible by stride).

    At stride 1 an even kernel is shortened by one (DCGAN's 4 becomes 3): "same" padding of an
    even kernel is lopsided and would shift every nearest-upsampled map by half a sample.
    """
    if stride == 1:
        kernel -= 1 - kernel % 2
        return _CONV[dim](c_in, c_out, kernel, padding=kernel // 2, bias=bias)
    return _CONV[dim](c_in, c_out, kernel, stride=stride, padding=(kernel - 1) // 2, bias=bias)


def conv_transposed(dim: int, c_in: int, c_out: int, kernel: int, stride: int, *, bias: bool = True) -> nn.Module:
    """Transposed convolution mapping length L to exactly L * stride (needs kernel >= stride)."""
    overlap = kernel - stride  # = 2 * padding - output_padding
    padding = (overlap + 1) // 2
    return _CONV_T[dim](
        c_in, c_out, kernel, stride=stride, padding=padding, output_padding=2 * padding - overlap, bias=bias
    )


def upsample(kind: str, dim: int, c_in: int, c_out: int, kernel: int, stride: int, *, bias: bool = True) -> nn.Module:
    """One upsampling step by ``stride``: ``transposed`` or ``nearest`` (nearest neighbour then a convolution)."""
    if kind == "transposed":
        return conv_transposed(dim, c_in, c_out, kernel, stride, bias=bias)
    return nn.Sequential(nn.Upsample(scale_factor=stride, mode="nearest"), conv(dim, c_in, c_out, kernel, bias=bias))


def durall_output(dim: int, c_in: int, c_out: int, kernel: int, stride: int) -> nn.Sequential:
    """Durall et al. (CVPR 2020)'s replacement of G's last transposed convolution.

    Nearest-neighbour upsampling followed by three convolutions (ReLU between them), so the
    output layer cannot imprint the periodic pattern of a strided transposed convolution.
    """
    return nn.Sequential(
        nn.Upsample(scale_factor=stride, mode="nearest"),
        conv(dim, c_in, c_in, kernel),
        nn.ReLU(),
        conv(dim, c_in, c_in, kernel),
        nn.ReLU(),
        conv(dim, c_in, c_out, kernel),
    )


def norm(kind: str, dim: int, channels: int) -> nn.Module:
    """``batch`` norm or nothing (spectral norm wraps the convolution instead, see ``maybe_spectral``)."""
    return _BATCH_NORM[dim](channels) if kind == "batch" else nn.Identity()


def maybe_spectral(module: nn.Module, kind: str) -> nn.Module:
    """Wrap a convolution / linear layer in spectral normalisation (Miyato et al. 2018) when asked."""
    return spectral_norm(module) if kind == "spectral" else module


def phase_shift(x: torch.Tensor, shift: int) -> torch.Tensor:
    """Shift ``x [B,C,T]`` by ``shift`` samples along time, filling the gap by reflection.

    ``shift > 0`` delays: ``out[..., t] = x[..., t - shift]`` for ``t >= shift``.
    """
    if shift == 0:
        return x
    length = x.shape[-1]
    if shift > 0:
        return F.pad(x, (shift, 0), mode="reflect")[..., :length]
    return F.pad(x, (0, -shift), mode="reflect")[..., -shift:]


class PhaseShuffle(nn.Module):
    """WaveGAN's phase shuffle (Donahue et al. 2019, Sec. 3.3): shift activations by k ~ U{-n..n}.

    As in the published code, one shift per call (per batch), drawn from torch's global RNG,
    and only in training mode; in eval mode D is deterministic.
    """

    def __init__(self, radius: int):
        super().__init__()
        self.radius = radius

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.radius == 0:
            return x
        shift = int(torch.randint(-self.radius, self.radius + 1, ()).item())
        return phase_shift(x, shift)

    def extra_repr(self) -> str:
        return f"radius={self.radius}"
