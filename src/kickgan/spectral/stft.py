"""An amplitude-normalised STFT and its exact inverse, batched and differentiable.

Frame ``n`` is centred on sample ``n * hop_length + hop_length // 2`` and the clip is
zero-padded beyond both ends, so there are exactly ``T // hop_length`` frames (powers
of two for the networks) and the first and last samples sit half a hop inside the
outermost windows: even at 50 % overlap every sample has a summed squared window of
at least 0.5, which keeps the least-squares inverse exact and well conditioned.

The padding is zeros, not the clip itself: a circular STFT (the discrete Gabor
transform PGHI is derived for) wraps the onset of a kick into the last frames,
so decoded kicks and even real kicks sent through it "decay" over the whole clip.

Convention: ``X[m, n] = sum_k y[n*hop + hop/2 - n_fft/2 + k] w[k] exp(-2i pi m k / n_fft) / (n_fft / 4)``
with ``w`` the periodic Hann window, whose sum is ``n_fft / 2``: a unit sine at a bin
centre has magnitude 1.

This is the package's one STFT. The representations use it as above; the measurements that
were defined on ``torch.stft``/librosa's framing (the embedding's log-mel, the artefact
spectrum, the encoder's distance, previews and pictures) call it with ``center=True``
(frame ``n`` centred on sample ``n * hop_length``, ``1 + T // hop_length`` frames), the
padding and window they were defined with, and ``amplitude=False`` for raw sums.
"""

from __future__ import annotations

import functools

import torch


def stft(
    y: torch.Tensor,
    n_fft: int,
    hop_length: int,
    *,
    center: bool = False,
    pad_mode: str = "constant",
    symmetric: bool = False,
    amplitude: bool = True,
) -> torch.Tensor:
    """STFT of ``y [..., T]`` -> complex ``X [..., n_fft//2 + 1, frames]``.

    Defaults: kickgan's framing (``T // hop_length`` frames, zeros beyond the ends, periodic
    Hann, divided by ``n_fft / 4``). ``center``: frame ``n`` centred on ``n * hop_length``
    (``1 + T // hop_length`` frames, as ``torch.stft(center=True)`` and ``librosa.stft``);
    ``pad_mode``: ``constant`` (zeros) or ``reflect`` beyond the ends; ``symmetric``: the
    symmetric Hann window; ``amplitude=False``: the raw windowed sums.
    """
    idx, window, _ = _plan(y.shape[-1], n_fft, hop_length, str(y.device), y.dtype, center, symmetric)
    if pad_mode == "reflect":
        flat = y.reshape(-1, 1, y.shape[-1])
        padded = torch.nn.functional.pad(flat, (n_fft // 2, n_fft // 2), mode="reflect").reshape(*y.shape[:-1], -1)
    else:
        padded = torch.nn.functional.pad(y, (n_fft // 2, n_fft // 2))
    frames = padded[..., idx] * window  # [..., N, n_fft]
    X = torch.fft.rfft(frames, dim=-1).transpose(-1, -2)
    return X / (n_fft / 4) if amplitude else X


def istft(X: torch.Tensor, n_fft: int, hop_length: int, length: int) -> torch.Tensor:
    """Least-squares inverse of :func:`stft`: complex ``X [..., F, N]`` -> ``y [..., length]``.

    For any ``X`` (consistent or not) this is the signal whose STFT is closest to
    ``X``, which makes it the projection Griffin-Lim needs.
    """
    dtype = X.real.dtype
    idx, window, wsum = _plan(length, n_fft, hop_length, str(X.device), dtype, False, False)
    frames = torch.fft.irfft(X.transpose(-1, -2) * (n_fft / 4), n=n_fft, dim=-1) * window  # [..., N, n_fft]
    padded = frames.new_zeros(*frames.shape[:-2], length + 2 * (n_fft // 2))
    padded = padded.index_add(-1, idx.reshape(-1), frames.reshape(*frames.shape[:-2], -1))
    return padded[..., n_fft // 2 : n_fft // 2 + length] / wsum


@functools.lru_cache(maxsize=32)
def _plan(length: int, n_fft: int, hop_length: int, device: str, dtype: torch.dtype, center: bool, symmetric: bool):
    """Frame indices ``[N, n_fft]`` into the clip padded by ``n_fft // 2`` on each side,
    the window ``[n_fft]`` and the summed squared window over the clip ``[length]``."""
    n_frames = length // hop_length + (1 if center else 0)
    offset = 0 if center else hop_length // 2
    idx = torch.arange(n_frames)[:, None] * hop_length + offset + torch.arange(n_fft)[None, :]
    window = torch.hann_window(n_fft, periodic=not symmetric, dtype=torch.float64)
    padded = torch.zeros(length + 2 * (n_fft // 2), dtype=torch.float64)
    wsum = padded.index_add(0, idx.reshape(-1), (window**2).repeat(n_frames))[n_fft // 2 : n_fft // 2 + length]
    return idx.to(device), window.to(device, dtype), wsum.to(device, dtype)
