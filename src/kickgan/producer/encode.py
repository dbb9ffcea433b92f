"""Encode your own kick: find the latent whose kick sounds closest (GAN inversion), then vary it.

The distance between two kicks ``a``, ``b`` (``wave [B,1,T]``, each first scaled to unit RMS so
level does not count) is the sum of

- the mean absolute difference of their log-mel spectrograms (natural log, 64 bands), and
- a multi-resolution STFT loss (Yamamoto et al., "Parallel WaveGAN", ICASSP 2020): spectral
  convergence plus mean absolute log-magnitude difference at four STFT sizes (256 to 2048).

Inversion (optimisation-based, as surveyed by Xia et al., "GAN inversion: a survey", 2022):
score ``starts`` latents from fixed seeds, keep the ``refine`` closest, refine them together with
Adam on the distance, and keep the best latent seen. For ``logmag`` and ``warped`` models the phase of each step's kick is reconstructed
without gradient and held fixed, so the gradient flows through the generated magnitudes; the
other representations invert exactly and differentiably.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import torch

from kickgan.audio.preprocess import prepare_clip
from kickgan.data.quality import Rejected, check_file
from kickgan.errors import KickganError, ParameterError
from kickgan.io import write_json
from kickgan.producer.export import ExportOptions, check_free
from kickgan.producer.generate import render_latents
from kickgan.spectral.representations import logmag_inverse
from kickgan.spectral.stft import istft, stft

RESOLUTIONS = ((256, 64), (512, 128), (1024, 256), (2048, 512))  # (n_fft, hop_length)
N_MELS = 64
START_SEED = 2_000_000  # random starts use seeds from here; variations from VARIATION_SEED
VARIATION_SEED = 3_000_000
EPS = 1e-3  # magnitude floor: -60 dB below a unit-RMS kick, so inaudible noise floors do not count


def unit_rms(wave: torch.Tensor) -> torch.Tensor:
    """``wave [B,1,T]`` scaled to an RMS of 1 per clip."""
    return wave / wave.pow(2).mean(dim=-1, keepdim=True).add(1e-12).sqrt()


def _mag(wave: torch.Tensor, n_fft: int, hop_length: int) -> torch.Tensor:
    """Amplitude-normalised STFT magnitude ``[B, n_fft//2+1, frames]`` (a unit sine peaks at 1)."""
    return stft(wave[:, 0], n_fft, hop_length, center=True, pad_mode="reflect").abs()


def log_mel_distance(a: torch.Tensor, b: torch.Tensor, sr: int, n_fft: int = 1024, hop_length: int = 256) -> torch.Tensor:
    """Mean absolute difference ``[B]`` of the log-mel spectrograms (``N_MELS`` bands) of ``a``, ``b [B,1,T]``."""
    fb = torch.from_numpy(librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=N_MELS)).to(a)
    mel_a = torch.log(fb @ _mag(a, n_fft, hop_length) ** 2 + EPS**2)
    mel_b = torch.log(fb @ _mag(b, n_fft, hop_length) ** 2 + EPS**2)
    return (mel_a - mel_b).abs().mean(dim=(1, 2))


def mrstft_distance(a: torch.Tensor, b: torch.Tensor, resolutions=RESOLUTIONS) -> torch.Tensor:
    """Multi-resolution STFT loss ``[B]``: per resolution, spectral convergence
    ``||B| - |A||_F / ||B||_F`` plus mean ``|log|A| - log|B||``, averaged over resolutions."""
    total = a.new_zeros(a.shape[0])
    for n_fft, hop_length in resolutions:
        ma, mb = _mag(a, n_fft, hop_length), _mag(b, n_fft, hop_length)
        sc = (mb - ma).norm(dim=(1, 2)) / mb.norm(dim=(1, 2)).clamp_min(EPS)
        log = (torch.log(ma + EPS) - torch.log(mb + EPS)).abs().mean(dim=(1, 2))
        total = total + sc + log
    return total / len(resolutions)


def distance(a: torch.Tensor, b: torch.Tensor, sr: int) -> dict[str, torch.Tensor]:
    """``{"log_mel", "mrstft", "total"}``, each ``[B]``, between ``a`` and ``b [B,1,T]`` at unit RMS."""
    a, b = unit_rms(a), unit_rms(b)
    out = {"log_mel": log_mel_distance(a, b, sr), "mrstft": mrstft_distance(a, b)}
    out["total"] = out["log_mel"] + out["mrstft"]
    return out


def differentiable_wave(sampler, z: torch.Tensor) -> torch.Tensor:
    """``wave [B,1,T]`` of ``z [B,z_dim]`` with a gradient to ``z`` (see the module docstring)."""
    G, rep = sampler.G, sampler.rep
    spec = G(z)
    if rep.cfg.kind not in ("logmag", "warped"):  # the exact kinds decode with a gradient
        return rep.decode(spec)
    cfg = rep.cfg
    mag = logmag_inverse(spec, cfg, rep.mean, rep.std)
    with torch.no_grad():
        phase = torch.angle(stft(rep.decode(spec), cfg.n_fft, cfg.hop_length))
    return istft(torch.polar(mag, phase), cfg.n_fft, cfg.hop_length, cfg.length)


def load_target(path: str | Path, sampler) -> torch.Tensor:
    """The kick at ``path`` prepared like the training clips: ``wave [1,1,length]`` at the model's rate.

    Raises:
        KickganError: for a file ``kickgan data build`` would reject (:func:`kickgan.data.quality.check_file`:
            not audio, truncated, NaN or infinite samples, silent, shorter than 30 ms, ...).
    """
    try:
        checked = check_file(Path(path))
    except Rejected as rej:
        raise KickganError(f"{path}: cannot encode it: {rej.reason} ({rej.detail})") from None
    return torch.from_numpy(prepare_clip(checked.y, checked.sr, sampler.sr, sampler.length))[None, None]


def invert(
    sampler, target: torch.Tensor, *, starts: int = 16, refine: int = 4, steps: int = 200, lr: float = 0.05
) -> tuple[torch.Tensor, dict]:
    """The latent ``[z_dim]`` whose kick is closest to ``target [1,1,T]``, and the distances
    (``start``: of the best random start; ``final``: of the result, by component).

    The ``refine`` closest of ``starts`` random latents are refined together (:func:`refine_latents`);
    the best latent seen wins, and the best start if refining did not beat it.
    """
    if starts < 1 or refine < 1 or steps < 0:
        raise ParameterError(f"starts and refine must be >= 1 and steps >= 0, got {starts}, {refine}, {steps}")
    z0 = sampler.latents(list(range(START_SEED, START_SEED + starts)))
    with torch.no_grad():
        d0 = distance(sampler.decode(z0), target.expand(starts, -1, -1), sampler.sr)["total"]
    best_start = z0[int(torch.argmin(d0))][None]
    winner = refine_latents(sampler, z0[torch.argsort(d0)[:refine]], target, steps, lr)
    with torch.no_grad():
        final = {k: float(v) for k, v in distance(sampler.decode(winner), target, sampler.sr).items()}
    if final["total"] > float(d0.min()):
        winner, final = best_start, {k: float(v) for k, v in distance(sampler.decode(best_start), target, sampler.sr).items()}
    return winner[0], {"start": float(d0.min()), "final": final}


def refine_latents(sampler, z: torch.Tensor, target: torch.Tensor, steps: int, lr: float) -> torch.Tensor:
    """Adam (cosine-decayed learning rate) on the distance of each of ``z [K, z_dim]`` to ``target``,
    for ``steps`` steps on the sampler's device; returns the best latent seen ``[1, z_dim]`` on the CPU.
    G's weights stay untouched."""
    z, target = z.to(sampler.device), target.to(sampler.device)
    best_d, best_z = torch.full((len(z),), float("inf"), device=z.device), z.clone()
    z = z.clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(steps, 1))
    frozen = [p for p in sampler.G.parameters() if p.requires_grad]
    for p in frozen:  # gradients for z only
        p.requires_grad_(False)
    try:
        for _ in range(steps):
            opt.zero_grad()
            d = distance(differentiable_wave(sampler, z), target.expand(len(z), -1, -1), sampler.sr)["total"]
            better = d.detach() < best_d  # d is the distance of z before this step
            best_d, best_z = torch.where(better, d.detach(), best_d), torch.where(better[:, None], z.detach(), best_z)
            d.sum().backward()
            opt.step()
            sched.step()
            if sampler.cfg.model.latent == "uniform":  # stay inside the prior's support, U(-1, 1)
                with torch.no_grad():
                    z.clamp_(-1.0, 1.0)
    finally:
        for p in frozen:
            p.requires_grad_(True)
    return best_z[int(torch.argmin(best_d))][None].cpu()


def variations(sampler, z: torch.Tensor, n: int, spread: float) -> torch.Tensor:
    """``n`` latents ``[n, z_dim]`` around ``z [z_dim]``: ``z + spread * e_i`` with ``e_i`` drawn from
    the prior (seeds ``VARIATION_SEED + i``), so ``spread`` is in units of the prior's spread."""
    if n < 0 or spread < 0:
        raise ParameterError(f"--variations and --spread must be >= 0, got {n}, {spread}")
    if n == 0:
        return z[None][:0]
    return z[None] + spread * sampler.latents(list(range(VARIATION_SEED, VARIATION_SEED + n)))


def encode(
    sampler,
    kick: str | Path,
    out: str | Path,
    opts: ExportOptions = ExportOptions(),
    *,
    n_variations: int = 8,
    spread: float = 0.3,
    starts: int = 16,
    refine: int = 4,
    steps: int = 200,
    force: bool = False,
) -> dict:
    """Invert ``kick`` and write ``<stem>_encoded.wav`` (closest kick), ``<stem>_var01.wav`` ... (variations),
    each with a sidecar, and ``<stem>_encode.json`` (the distances); returns that summary."""
    kick, out = Path(kick), Path(out)
    stem = kick.stem
    paths = [out / f"{stem}_encoded.wav"] + [out / f"{stem}_var{i:02d}.wav" for i in range(1, n_variations + 1)]
    summary_path = out / f"{stem}_encode.json"
    check_free(paths + [p.with_suffix(".json") for p in paths] + [summary_path], force)
    target = load_target(kick, sampler)
    z, dist = invert(sampler, target, starts=starts, refine=refine, steps=steps)
    if not all(np.isfinite([dist["start"], *dist["final"].values()])):
        raise KickganError(f"{kick}: the inversion gave a non-finite distance ({dist['final']}); nothing written")
    zs = torch.cat([z[None], variations(sampler, z, n_variations, spread)])
    infos = [{"seed": None, "encoded_from": str(kick), "variation": i, "spread": spread if i else 0.0}
             for i in range(len(zs))]
    render_latents(sampler, zs.detach(), paths, opts, infos, force=force)
    summary = {"kick": str(kick), "checkpoint_hash": sampler.checkpoint_hash, "starts": starts, "refine": refine,
               "steps": steps,
               "distance": dist, "files": [p.name for p in paths]}
    write_json(summary_path, summary)
    return summary
