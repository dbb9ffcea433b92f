"""Differentiable estimates of the steered descriptors, read off a generator's magnitudes.

The evaluation suite measures a kick on its waveform (numpy, after phase reconstruction), which
no gradient passes through. Steering needs ``d descriptor / d z``, so each control descriptor has
an estimate computed in torch on the magnitude spectrogram of ``G(z)``:

| control | estimate (on the power spectrogram ``P [B,F,N]``) | tracks |
| --- | --- | --- |
| pitch | log2 of the power-weighted mean frequency of the bins in (0, 250] Hz, over the 3 frames around onset + 100 ms | ``body_hz_100ms`` |
| decay | log2 of the time (ms) the frame energy takes to fall 20 dB, by its least-squares line from -3 to -25 dB after its peak | ``decay_t20_ms`` |
| click | energy above 2 kHz in the first 2 frames from the onset over the clip's energy, dB | ``click_db`` |

The onset is the first frame within 20 dB of the loudest one. Which frames enter a sum (onset,
peak, fit range) is decided without gradient; the values are differentiable. A frame ``n`` is
centred at ``(n + 1/2) * hop_length / sr`` (:mod:`kickgan.spectral.stft`).
"""

from __future__ import annotations

import torch

from kickgan.audio.descriptors import T20_BOTTOM_DB, T20_TOP_DB
from kickgan.spectral.representations import logmag_inverse
from kickgan.spectral.stft import stft

NAMES = ("pitch", "decay", "click")
PITCH_MAX_HZ = 250.0
PITCH_AT_S = 0.100
CLICK_MIN_HZ = 2000.0
CLICK_FRAMES = 2
ONSET_DB = -20.0
FIT_TOP_DB, FIT_BOTTOM_DB = -T20_TOP_DB, -T20_BOTTOM_DB  # decay_t20_ms's range


def magnitude(G: torch.nn.Module, rep: torch.nn.Module, z: torch.Tensor) -> torch.Tensor:
    """STFT magnitude ``[B, n_fft//2+1 or n_freq, N]`` of the kicks of ``z [B, z_dim]``, differentiable
    in ``z``: ``logmag`` and ``warped`` outputs are un-normalised (and expanded) directly, others decoded
    and transformed."""
    spec = G(z)
    cfg = rep.cfg
    if cfg.kind in ("logmag", "warped"):  # PGHI has no gradient: use the magnitude itself
        return logmag_inverse(spec, cfg, rep.mean, rep.std)[:, 0]
    return stft(rep.decode(spec), cfg.n_fft, cfg.hop_length)[:, 0].abs()


def estimates(power: torch.Tensor, sr: int, n_fft: int, hop_length: int) -> torch.Tensor:
    """The estimates ``[B, 3]`` (pitch log2 Hz, decay log2 ms, click dB) of ``power [B, F, N]``."""
    freqs = torch.arange(power.shape[1], dtype=power.dtype, device=power.device) * (sr / n_fft)
    frame_s = hop_length / sr
    frames = torch.arange(power.shape[2], device=power.device)[None, :]
    energy = power.sum(dim=1) + 1e-20  # [B, N]
    level = 10 * torch.log10(energy)
    with torch.no_grad():
        rel = level - level.max(dim=1, keepdim=True).values
        onset = (rel >= ONSET_DB).float().argmax(dim=1)  # [B]
        peak = level.argmax(dim=1)
    pitch = _pitch(power, freqs, frames, onset + round(PITCH_AT_S / frame_s))
    decay = _decay(level, rel, frames, peak, frame_s)
    first = ((frames >= onset[:, None]) & (frames < onset[:, None] + CLICK_FRAMES)).to(power.dtype)
    high = (power[:, freqs >= CLICK_MIN_HZ] * first[:, None]).sum(dim=(1, 2))
    click = 10 * torch.log10(high + 1e-20) - 10 * torch.log10(energy.sum(dim=1))
    return torch.stack([pitch, decay, click], dim=1)


def _pitch(power: torch.Tensor, freqs: torch.Tensor, frames: torch.Tensor, centre: torch.Tensor) -> torch.Tensor:
    near = ((frames - centre[:, None]).abs() <= 1).to(power.dtype)  # [B, N]
    low = (freqs > 0) & (freqs <= PITCH_MAX_HZ)
    p = (power[:, low] * near[:, None]).sum(dim=2)  # [B, F_low]
    return torch.log2((p * freqs[low]).sum(dim=1) / (p.sum(dim=1) + 1e-20) + 1e-6)


def _decay(level: torch.Tensor, rel: torch.Tensor, frames: torch.Tensor, peak: torch.Tensor, frame_s: float) -> torch.Tensor:
    with torch.no_grad():
        after = frames >= peak[:, None]
        fallen = torch.cumsum((after & (rel < FIT_BOTTOM_DB)).int(), dim=1) > 0
        w = (after & ~fallen & (rel <= FIT_TOP_DB)).to(level.dtype)  # [B, N]
    t = frames.to(level.dtype) * frame_s
    n = w.sum(dim=1).clamp_min(1)
    dt = t - (w * t).sum(dim=1, keepdim=True) / n[:, None]
    dl = level - (w * level).sum(dim=1, keepdim=True) / n[:, None]
    slope = (w * dt * dl).sum(dim=1) / ((w * dt**2).sum(dim=1) + 1e-12)  # dB per second
    return torch.log2(20.0 / (-slope).clamp_min(1e-2) * 1000.0)
