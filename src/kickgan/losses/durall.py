"""Durall et al.'s spectral regulariser (CVPR 2020), differentiable.

Durall, Keuper and Keuper, "Watch your up-convolution: CNN based generative deep neural
networks are failing to reproduce spectral distributions", CVPR 2020, Eq. 4-5: the
azimuthally averaged log power spectrum of each generated image, min-max normalised to
[0, 1], is pushed towards the mean profile of real images by binary cross-entropy. The
official code computes the profile with numpy on detached arrays, so no gradient reaches G;
here every step is a torch operation (``torch.fft``, a fixed binning matrix) and the loss
back-propagates into G.

Inputs are what D sees: ``spec [B,C,F,N]`` (2-D spectrum of the spectrogram image, averaged
over rings of equal normalised radius) or ``wave [B,1,T]`` (1-D power spectrum averaged into
up to 256 bands of equal width).
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from kickgan.errors import ParameterError

EPS = 1e-8
POWER_FLOOR = 1e-6  # of the mean power per bin of a full-scale signal; keeps d log(power) bounded
MARGIN = 1e-3  # profiles live in [MARGIN, 1 - MARGIN], so BCE and its gradient stay finite
WAVE_BINS = 256


@functools.lru_cache(maxsize=16)
def _ring_matrix(n_freq: int, n_frames: int) -> torch.Tensor:
    """[F*N, K] averaging matrix: column k averages the 2-D FFT bins with radius in [k, k+1) / min(F, N)."""
    ky = torch.fft.fftfreq(n_freq).view(-1, 1)
    kx = torch.fft.fftfreq(n_frames).view(1, -1)
    radius = torch.sqrt(ky**2 + kx**2) * min(n_freq, n_frames)
    ring = radius.floor().long().flatten()
    one_hot = F.one_hot(ring).float()
    return one_hot / one_hot.sum(0, keepdim=True).clamp_min(1)


@functools.lru_cache(maxsize=16)
def _band_matrix(n_rfft: int, n_bins: int) -> torch.Tensor:
    """[n_rfft, n_bins] averaging matrix over contiguous bands of rfft bins."""
    band = torch.div(torch.arange(n_rfft) * n_bins, n_rfft, rounding_mode="floor")
    one_hot = F.one_hot(band, n_bins).float()
    return one_hot / one_hot.sum(0, keepdim=True).clamp_min(1)


def spectral_profile(x: torch.Tensor) -> torch.Tensor:
    """Min-max normalised log power profile [B,K] of ``spec [B,C,F,N]`` or ``wave [B,1,T]``.

    Spectrograms: 2-D FFT over (F, N), power averaged over channels, azimuthal average
    (K about 0.7 min(F, N)). Waves: rfft over T averaged into min(256, T/2 + 1) bands. Each row is
    mapped to [MARGIN, 1 - MARGIN].
    """
    if x.dim() == 4:
        power = torch.fft.fft2(x.float(), norm="ortho").abs().pow(2).mean(1).flatten(1)  # [B, F*N]
        matrix = _ring_matrix(x.shape[-2], x.shape[-1])
    elif x.dim() == 3:
        power = torch.fft.rfft(x.float(), norm="ortho").abs().pow(2).mean(1)  # [B, T/2+1]
        matrix = _band_matrix(power.shape[-1], min(WAVE_BINS, power.shape[-1]))
    else:
        raise ParameterError(f"durall: expected spec [B,C,F,N] or wave [B,1,T], got shape {tuple(x.shape)}")
    profile = torch.log(power + POWER_FLOOR) @ matrix.to(x.device)
    low = profile.amin(dim=1, keepdim=True)
    high = profile.amax(dim=1, keepdim=True)
    unit = (profile - low) / (high - low).clamp_min(EPS)
    return MARGIN + (1 - 2 * MARGIN) * unit


def durall_loss(fake: torch.Tensor, real_profile: torch.Tensor) -> torch.Tensor:
    """BCE between each fake's profile [B,K] and the real profile [K] (or [B,K]); a scalar.

    real_profile: ``spectral_profile(real).mean(0)`` (a running mean works as well); it is
    detached, as a target. The result is differentiable with respect to ``fake``.
    """
    fake_profile = spectral_profile(fake)
    target = real_profile.detach().to(fake_profile.dtype).expand_as(fake_profile)
    return F.binary_cross_entropy(fake_profile, target)
