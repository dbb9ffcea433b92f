"""A circular, amplitude-normalised STFT and its exact inverse, batched and differentiable.

The clip of ``T`` samples is treated as one period: frame ``n`` is centred on
sample ``n * hop_length`` and wraps around the ends, so there are exactly
``T // hop_length`` frames and every sample is covered by ``n_fft / hop_length``
windows (prepared clips end in a fade-out, so the wrap adds near-silence before the onset).
This is the discrete Gabor transform that PGHI is derived for (Prusa et al. 2017),
and it is exactly invertible with power-of-two shapes and no edge frames to drop.

Convention: ``X[m, n] = sum_k y[n*hop - n_fft/2 + k] w[k] exp(-2i pi m k / n_fft) / (n_fft / 4)``
with ``w`` the periodic Hann window, whose sum is ``n_fft / 2``: a unit sine at a bin
centre has magnitude 1.
"""

from __future__ import annotations

import functools

import torch


def stft(y: torch.Tensor, n_fft: int, hop_length: int) -> torch.Tensor:
    """Circular STFT of ``y [..., T]`` -> complex ``X [..., n_fft//2 + 1, T // hop_length]``."""
    idx, window, _ = _plan(y.shape[-1], n_fft, hop_length, str(y.device), y.dtype)
    frames = y[..., idx] * window  # [..., N, n_fft]
    return torch.fft.rfft(frames, dim=-1).transpose(-1, -2) / (n_fft / 4)


def istft(X: torch.Tensor, n_fft: int, hop_length: int, length: int) -> torch.Tensor:
    """Least-squares inverse of :func:`stft`: complex ``X [..., F, N]`` -> ``y [..., length]``.

    For any ``X`` (consistent or not) this is the signal whose STFT is closest to
    ``X``, which makes it the projection Griffin-Lim needs.
    """
    dtype = X.real.dtype
    idx, window, wsum = _plan(length, n_fft, hop_length, str(X.device), dtype)
    frames = torch.fft.irfft(X.transpose(-1, -2) * (n_fft / 4), n=n_fft, dim=-1) * window  # [..., N, n_fft]
    y = frames.new_zeros(*frames.shape[:-2], length)
    y = y.index_add(-1, idx.reshape(-1), frames.reshape(*frames.shape[:-2], -1))
    return y / wsum


@functools.lru_cache(maxsize=32)
def _plan(length: int, n_fft: int, hop_length: int, device: str, dtype: torch.dtype):
    """Frame indices ``[N, n_fft]``, the window ``[n_fft]`` and the summed squared window ``[length]``."""
    n_frames = length // hop_length
    starts = torch.arange(n_frames) * hop_length - n_fft // 2
    idx = (starts[:, None] + torch.arange(n_fft)[None, :]) % length
    window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
    wsum = torch.zeros(length, dtype=torch.float64).index_add(0, idx.reshape(-1), (window**2).repeat(n_frames))
    return idx.to(device), window.to(device, dtype), wsum.to(device, dtype)
