"""Round-trip metrics: how close a reconstructed kick is to the original, one value per clip.

All take ``ref`` and ``est`` as ``wave [B,1,T]`` (or ``[B,T]``) and return ``[B]``.
The spectral ones use one fixed analysis STFT (``n_fft=512``, ``hop_length=128``,
zero-padded, Hann) whatever the representation, so every representation is judged
by the same ruler.
"""

from __future__ import annotations

import torch

from kickgan.spectral.stft import stft

REF_N_FFT = 512
REF_HOP = 128
LSD_RANGE_DB = 80.0  # log-spectral distance ignores bins more than this far below the clip's peak
ENVELOPE_MS = 20.0  # the transient window: the first 20 ms
ENVELOPE_HOP_MS = 1.0  # RMS frames of 1 ms


def _mag(y: torch.Tensor) -> torch.Tensor:
    return stft(y.reshape(y.shape[0], -1), REF_N_FFT, REF_HOP).abs()  # [B,F,N]


def spectral_convergence(ref: torch.Tensor, est: torch.Tensor) -> torch.Tensor:
    """``|| |X_ref| - |X_est| ||_F / || |X_ref| ||_F`` (Sturmel & Daudet 2011): 0 is perfect."""
    a, b = _mag(ref), _mag(est)
    return (a - b).flatten(1).norm(dim=1) / a.flatten(1).norm(dim=1).clamp_min(1e-12)


def log_spectral_distance(ref: torch.Tensor, est: torch.Tensor) -> torch.Tensor:
    """RMS difference of the power spectra in dB, averaged over frames; both floored at
    ``LSD_RANGE_DB`` below the reference's peak so that silence does not dominate."""
    a, b = _mag(ref) ** 2, _mag(est) ** 2
    floor = a.flatten(1).amax(dim=1).clamp_min(1e-20)[:, None, None] * 10 ** (-LSD_RANGE_DB / 10)
    da, db = 10 * torch.log10(torch.maximum(a, floor)), 10 * torch.log10(torch.maximum(b, floor))
    return ((da - db) ** 2).mean(dim=1).sqrt().mean(dim=1)


def snr_db(ref: torch.Tensor, est: torch.Tensor) -> torch.Tensor:
    """Signal-to-noise ratio of ``est`` against ``ref`` in dB (waveform, so phase counts)."""
    ref, est = ref.reshape(ref.shape[0], -1), est.reshape(est.shape[0], -1)
    noise = ((ref - est) ** 2).sum(dim=1).clamp_min(1e-20)
    return 10 * torch.log10((ref**2).sum(dim=1).clamp_min(1e-20) / noise)


def envelope_error(ref: torch.Tensor, est: torch.Tensor, sr: int) -> torch.Tensor:
    """Relative L1 error of the 1 ms RMS envelope over the first 20 ms (the transient).

    Deliberately phase-sensitive: within 20 ms a kick plays about one cycle of its
    body, and the shape of that first cycle (and the click on top) is its punch.
    """
    hop = max(1, round(sr * ENVELOPE_HOP_MS / 1000))
    n = round(ENVELOPE_MS / ENVELOPE_HOP_MS)
    ref = ref.reshape(ref.shape[0], -1)[:, : n * hop].reshape(-1, n, hop)
    est = est.reshape(est.shape[0], -1)[:, : n * hop].reshape(-1, n, hop)
    env_ref, env_est = ref.pow(2).mean(-1).sqrt(), est.pow(2).mean(-1).sqrt()
    return (env_ref - env_est).abs().sum(1) / env_ref.sum(1).clamp_min(1e-12)
