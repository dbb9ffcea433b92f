"""The velocity network of the flow family: a small convolutional U-Net ``v(x [B,C,F,N], t [B]) -> [B,C,F,N]``.

Residual blocks of GroupNorm, SiLU and 3x3 convolutions (the blocks of Ho et al. 2020's DDPM
U-Net, without attention), the time added to every block as a learnt projection of a sinusoidal
embedding (Vaswani et al. 2017). ``levels`` resolutions, each halving F and N with a strided
convolution; the up path concatenates the down path's features of the same resolution
(Ronneberger et al. 2015). The output convolution starts at zero, so an untrained net predicts
no motion.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding ``[B, dim]`` of times ``t [B]`` in [0, 1] (scaled by 1000, as for diffusion steps)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = 1000.0 * t.float()[:, None] * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


def _norm(channels: int, groups: int) -> nn.GroupNorm:
    return nn.GroupNorm(math.gcd(groups, channels), channels)


class ResBlock(nn.Module):
    """``x [B,c_in,F,N], emb [B,E] -> [B,c_out,F,N]``: GN-SiLU-conv, + time, GN-SiLU-conv, + skip."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int):
        super().__init__()
        self.norm1, self.conv1 = _norm(c_in, groups), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.time = nn.Linear(emb_dim, c_out)
        self.norm2, self.conv2 = _norm(c_out, groups), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class VelocityUNet(nn.Module):
    """``v(x [B,C,F,N], t [B]) -> [B,C,F,N]``; F and N divisible by ``2**(levels - 1)``."""

    def __init__(self, channels: int, width: int, levels: int, blocks: int, time_dim: int, groups: int):
        super().__init__()
        self.time_dim = time_dim
        emb = 4 * width
        self.embed = nn.Sequential(nn.Linear(time_dim, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.stem = nn.Conv2d(channels, width, 3, padding=1)
        chans = [width * 2**level for level in range(levels)]
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        c = width
        for level, ch in enumerate(chans):  # level l: F / 2**l x N / 2**l, ch channels
            self.down.append(nn.ModuleList([ResBlock(c if i == 0 else ch, ch, emb, groups) for i in range(blocks)]))
            c = ch
            if level < levels - 1:
                self.downsample.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
        self.mid = ResBlock(c, c, emb, groups)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(levels)):
            ch = chans[level]
            self.up.append(nn.ModuleList([ResBlock((c + ch) if i == 0 else ch, ch, emb, groups) for i in range(blocks)]))
            c = ch
            if level > 0:
                self.upsample.append(nn.Conv2d(ch, chans[level - 1], 3, padding=1))
                c = chans[level - 1]
        self.out_norm = _norm(width, groups)
        self.out = nn.Conv2d(width, channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        emb = self.embed(time_embedding(t, self.time_dim).to(x.dtype))
        h = self.stem(x)
        skips = []
        for k, blocks in enumerate(self.down):
            for block in blocks:
                h = block(h, emb)
            skips.append(h)
            if k < len(self.downsample):
                h = self.downsample[k](h)
        h = self.mid(h, emb)
        for k, blocks in enumerate(self.up):
            h = torch.cat([h, skips.pop()], dim=1)
            for block in blocks:
                h = block(h, emb)
            if k < len(self.upsample):
                h = self.upsample[k](F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))
