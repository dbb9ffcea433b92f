"""Batched fast Griffin-Lim in torch.

Griffin & Lim, "Signal estimation from modified short-time Fourier transform",
IEEE TASSP 32(2), 1984; the momentum ("fast") variant of Perraudin, Balazs &
Sondergaard, "A fast Griffin-Lim algorithm", WASPAA 2013::

    t_k = P_mag(P_consistent(c_{k-1}))        c_k = t_k + momentum (t_k - t_{k-1})

``P_consistent`` is STFT(ISTFT(.)) (a least-squares projection, see
:func:`kickgan.spectral.stft.istft`) and ``P_mag`` keeps the phase and sets the
magnitude. ``momentum = 0`` is the classic algorithm.
"""

from __future__ import annotations

import math

import torch

from kickgan.spectral.stft import istft, stft


def griffin_lim(
    mag: torch.Tensor,
    n_fft: int,
    hop_length: int,
    n_iter: int = 16,
    momentum: float = 0.99,
    init: torch.Tensor | None = None,
    seed: int = 0,
) -> torch.Tensor:
    """Phase for the magnitude ``mag [..., n_fft//2 + 1, N]`` of an STFT (:mod:`kickgan.spectral.stft`).

    Args:
        n_iter: iterations (each one inverse and one forward STFT).
        momentum: fast Griffin-Lim's extrapolation weight in ``[0, 1)``.
        init: starting phase ``[..., F, N]`` (e.g. from :func:`kickgan.spectral.pghi.pghi`);
            ``None`` draws a uniform random phase from ``seed``.

    Returns:
        phase ``[..., F, N]`` in radians; the clip is ``istft(mag * exp(1j * phase))``.
    """
    length = mag.shape[-1] * hop_length
    if init is None:
        gen = torch.Generator().manual_seed(seed)
        init = (torch.rand(mag.shape, generator=gen, dtype=mag.dtype) * 2 * math.pi).to(mag.device)
    c = torch.polar(mag, init)
    prev = c
    for _ in range(n_iter):
        rebuilt = stft(istft(c, n_fft, hop_length, length), n_fft, hop_length)
        t = mag * torch.sgn(rebuilt)  # keep the phase, set the magnitude (sgn(0) = 0)
        c = t + momentum * (t - prev)
        prev = t
    return torch.angle(c)
