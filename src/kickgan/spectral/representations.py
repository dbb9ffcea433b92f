"""The representations as pure functions: ``wave [B,1,T]`` to ``spec [B,C,F,N]`` and back.

- ``logmag`` (SpecGAN, Donahue et al. 2019): ``log(|X| + log_eps)``, z-scored per
  frequency bin with statistics of the training split, clipped at ``+-clip_nstd``
  and divided by it, so ``[-1, 1]``. Inverted by phase reconstruction (PGHI, Griffin-Lim).
- ``warped``: ``logmag`` of a frequency-warped magnitude, linear STFT bins below
  ``warp_hz`` and geometrically spaced bands above (:mod:`kickgan.spectral.warp`),
  normalised like ``logmag``; expanded back to linear bins before phase reconstruction.
- ``complex`` (as in DrumGAN, Nistal et al. 2020): real and imaginary parts of
  ``X |X|^(compress-1)``, magnitude-compressed so quiet bins are not lost in the
  loud ones. Inverted exactly.
- ``mag_if`` (GANSynth, Engel et al. 2019): the ``logmag`` channel plus the
  instantaneous frequency, the frame-to-frame phase difference wrapped to
  ``[-pi, pi)`` and divided by pi. Inverted by integrating it (exact up to the
  logmag clip and the dropped Nyquist bin).

Each function takes the :class:`SpecConfig` for its STFT parameters;
``mean``/``std`` are the per-bin statistics ``[n_freq]`` of :func:`fit_stats`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from kickgan.spectral import warp
from kickgan.spectral.config import SpecConfig
from kickgan.spectral.griffinlim import griffin_lim
from kickgan.spectral.pghi import pghi
from kickgan.spectral.stft import istft, stft

# keeps the gradient of the magnitude compression finite at X = 0 (about 4e5 there); the round
# trip then moves a coefficient by about 1.2 * COMPRESS_DELTA / |X|^2 relative: 1e-8 at |X| = 1e-4
# (-80 dB). 1e-12 moved the near-silent coefficients at a clip's zero-padded edges by 2e-5.
COMPRESS_DELTA = 1e-16
STD_FLOOR = 1e-3  # a bin that never changes (e.g. always at the floor) is not divided by ~0


def add_lead(wave, lead: int):
    """``wave [..., T]`` (tensor or array) moved ``lead`` samples later: silence before it, its last
    ``lead`` samples dropped. The first frames then see the attack whole, with silence before it,
    instead of cut by the clip's start, which a magnitude-only decoder cannot rebuild (docs/fullband.md)."""
    if not lead:
        return wave
    if isinstance(wave, torch.Tensor):
        return torch.nn.functional.pad(wave[..., : wave.shape[-1] - lead], (lead, 0))
    wave = np.asarray(wave)
    return np.concatenate([np.zeros((*wave.shape[:-1], lead), wave.dtype), wave[..., : wave.shape[-1] - lead]], axis=-1)


def cut_lead(wave: torch.Tensor, lead: int) -> torch.Tensor:
    """The inverse of :func:`add_lead` up to the dropped tail: ``wave [..., T]`` without its first
    ``lead`` samples (what a decoder put before the attack), zero-padded back to ``T``."""
    if not lead:
        return wave
    return torch.nn.functional.pad(wave[..., lead:], (0, lead))


def spectrum(wave: torch.Tensor, cfg: SpecConfig) -> torch.Tensor:
    """The STFT of ``wave [B,1,T]``: complex ``[B,1,n_fft//2+1,N]``."""
    return stft(wave, cfg.n_fft, cfg.hop_length)


def log_magnitude(wave: torch.Tensor, cfg: SpecConfig) -> torch.Tensor:
    """``log(|X| + log_eps)`` of the kept bins (``warped``: of the bands): ``[B,1,n_freq,N]``."""
    mag = spectrum(wave, cfg).abs()
    if cfg.kind == "warped":
        return torch.log(warp.pool(mag, _edges(cfg)) + cfg.log_eps)
    return torch.log(mag[..., : cfg.n_freq, :] + cfg.log_eps)


def fit_stats(clips: np.ndarray, cfg: SpecConfig, batch: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-bin mean and standard deviation ``[n_freq]`` (float32) of the log-magnitude of ``clips [N,T]``.

    Accumulated in float64 over all clips and frames (SpecGAN's normalisation).
    """
    total = torch.zeros(cfg.n_freq, dtype=torch.float64)
    total_sq = torch.zeros(cfg.n_freq, dtype=torch.float64)
    count = 0
    with torch.no_grad():
        for i in range(0, len(clips), batch):
            wave = torch.as_tensor(np.asarray(clips[i : i + batch], dtype=np.float32))[:, None]
            s = log_magnitude(wave, cfg).to(torch.float64)  # [b,1,F,N]
            total += s.sum(dim=(0, 1, 3))
            total_sq += (s**2).sum(dim=(0, 1, 3))
            count += s.shape[0] * s.shape[-1]
    mean = total / count
    std = (total_sq / count - mean**2).clamp_min(0).sqrt().clamp_min(STD_FLOOR)
    return mean.float(), std.float()


def logmag_forward(wave: torch.Tensor, cfg: SpecConfig, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """``wave [B,1,T]`` -> ``spec [B,1,n_freq,N]`` in ``[-1, 1]``."""
    return _normalise(log_magnitude(wave, cfg), cfg, mean, std)


def logmag_inverse(spec: torch.Tensor, cfg: SpecConfig, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """``spec [B,1,n_freq,N]`` -> magnitude of all bins ``[B,1,n_fft//2+1,N]`` (dropped bins 0;
    ``warped``: every bin of a band at the band's RMS magnitude)."""
    log_mag = spec * cfg.clip_nstd * std[:, None] + mean[:, None]
    mag = (torch.exp(log_mag) - cfg.log_eps).clamp_min(0.0)
    if cfg.kind == "warped":
        return warp.expand(mag, _edges(cfg))
    return _pad_bins(mag, cfg)


def invert_magnitude(mag: torch.Tensor, cfg: SpecConfig) -> torch.Tensor:
    """Magnitude ``[B,1,n_fft//2+1,N]`` -> ``wave [B,1,T]`` by ``cfg.inversion``."""
    if cfg.inversion == "griffinlim":
        phase = griffin_lim(mag, cfg.n_fft, cfg.hop_length, cfg.gl_iters, cfg.gl_momentum)
    else:
        phase = pghi(mag, cfg.n_fft, cfg.hop_length, cfg.pghi_tol)
        if cfg.inversion == "pghi+gl":
            phase = griffin_lim(mag, cfg.n_fft, cfg.hop_length, cfg.gl_iters, cfg.gl_momentum, init=phase)
    return istft(torch.polar(mag, phase), cfg.n_fft, cfg.hop_length, cfg.length)


def complex_forward(wave: torch.Tensor, cfg: SpecConfig) -> torch.Tensor:
    """``wave [B,1,T]`` -> ``spec [B,2,n_freq,N]``: real and imaginary parts of the compressed STFT."""
    X = spectrum(wave, cfg)[:, 0]  # [B,F_all,N]
    if cfg.n_freq == cfg.n_fft // 2:  # DC and Nyquist are real: pack them into one complex bin
        packed = torch.complex(X[:, 0].real, X[:, -1].real)[:, None]
        X = torch.cat([packed, X[:, 1 : cfg.n_freq]], dim=1)
    else:
        X = X[:, : cfg.n_freq]
    Xc = X * (X.real**2 + X.imag**2 + COMPRESS_DELTA) ** ((cfg.compress - 1) / 2)
    return torch.stack([Xc.real, Xc.imag], dim=1)


def complex_inverse(spec: torch.Tensor, cfg: SpecConfig) -> torch.Tensor:
    """``spec [B,2,n_freq,N]`` -> ``wave [B,1,T]`` by the inverse STFT."""
    Xc = torch.complex(spec[:, 0], spec[:, 1])
    X = Xc * Xc.abs() ** (1 / cfg.compress - 1)  # [B,n_freq,N]
    if cfg.n_freq == cfg.n_fft // 2:
        dc, nyquist = X[:, :1].real, X[:, :1].imag
        zero = torch.zeros_like(dc)
        X = torch.cat([torch.complex(dc, zero), X[:, 1:], torch.complex(nyquist, zero)], dim=1)
    X = _pad_bins(X[:, None], cfg)
    return istft(X, cfg.n_fft, cfg.hop_length, cfg.length)


def mag_if_forward(wave: torch.Tensor, cfg: SpecConfig, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """``wave [B,1,T]`` -> ``spec [B,2,n_freq,N]``: the ``logmag`` channel and the instantaneous frequency."""
    X = spectrum(wave, cfg)[..., : cfg.n_freq, :]
    phase = torch.angle(X)
    dphase = torch.diff(phase, dim=-1, prepend=torch.zeros_like(phase[..., :1]))
    inst_freq = torch.remainder(dphase + math.pi, 2 * math.pi) / math.pi - 1.0  # [-1, 1)
    return torch.cat([_normalise(torch.log(X.abs() + cfg.log_eps), cfg, mean, std), inst_freq], dim=1)


def mag_if_inverse(spec: torch.Tensor, cfg: SpecConfig, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """``spec [B,2,n_freq,N]`` -> ``wave [B,1,T]``: the phase is the running sum of the IF."""
    mag = logmag_inverse(spec[:, :1], cfg, mean, std)
    phase = _pad_bins(torch.cumsum(spec[:, 1:] * math.pi, dim=-1), cfg)
    return istft(torch.polar(mag, phase), cfg.n_fft, cfg.hop_length, cfg.length)


def _normalise(log_mag: torch.Tensor, cfg: SpecConfig, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Per-bin z-score of ``log_mag [B,1,n_freq,N]``, clipped at ``+-clip_nstd`` and scaled into ``[-1, 1]``."""
    z = (log_mag - mean[:, None]) / std[:, None]
    return (z / cfg.clip_nstd).clamp(-1.0, 1.0)


def _edges(cfg: SpecConfig) -> tuple[int, ...]:
    return warp.band_edges(cfg.sr, cfg.n_fft, cfg.n_freq, float(cfg.warp_hz))


def _pad_bins(x: torch.Tensor, cfg: SpecConfig) -> torch.Tensor:
    """Zero-fill the bins ``n_freq .. n_fft//2`` that a representation dropped: ``[..., n_fft//2+1, N]``."""
    missing = cfg.n_fft // 2 + 1 - x.shape[-2]
    return torch.cat([x, x.new_zeros(*x.shape[:-2], missing, x.shape[-1])], dim=-2)
