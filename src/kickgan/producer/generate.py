"""Kicks by seed: latents from seeds (truncated, steered), decoded one by one, finished and written.

Every kick is decoded on its own (batch of one): convolution kernels may round
differently for different batch sizes, and a producer who asks for seed 42 alone
tomorrow must get the same bytes as today's seed 42 among sixteen.
"""

from __future__ import annotations

from pathlib import Path

import torch

from kickgan.errors import ParameterError
from kickgan.producer import controls as controls_mod
from kickgan.producer.export import ExportOptions, check_free, finish, kick_name, write_kick


def latents_for(sampler, seeds: list[int], truncation: float = 1.0, controls: dict | None = None) -> torch.Tensor:
    """``z [len(seeds), z_dim]``: each seed's latent, scaled by ``truncation`` toward the prior's
    mean (0) and steered by ``controls`` (standard deviations; :mod:`kickgan.producer.controls`)."""
    if not 0.0 < truncation <= 1.0:
        raise ParameterError(f"--truncation: must be in (0, 1], got {truncation}")
    z = sampler.latents(seeds)
    if truncation != 1.0:
        z = z * truncation
    if controls and any(controls.values()):
        z = controls_mod.steer(sampler, z, controls)
    return z


def render_latents(
    sampler,
    z: torch.Tensor,
    paths: list[Path],
    opts: ExportOptions,
    infos: list[dict],
    *,
    truncation: float = 1.0,
    controls: dict | None = None,
) -> list[Path]:
    """Decode each row of ``z [B, z_dim]`` alone, finish it and write it to ``paths[i]`` with a sidecar
    holding the checkpoint hash, the exact latent and ``infos[i]`` (seed, ...)."""
    for row, path, info in zip(z, paths, infos):
        wave = sampler.decode(row[None])  # [1, 1, T]
        y = finish(wave[0, 0].detach().cpu().numpy(), sampler.sr, opts)
        sidecar = {
            "checkpoint": str(sampler.path),
            "checkpoint_hash": sampler.checkpoint_hash,
            **info,
            "truncation": truncation,
            "controls": dict(controls or {}),
            "latent": [float(v) for v in row.tolist()],
        }
        write_kick(path, y, opts, sidecar)
    return paths


def generate(
    sampler,
    seeds: list[int],
    out: str | Path,
    opts: ExportOptions = ExportOptions(),
    *,
    truncation: float = 1.0,
    controls: dict | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the kicks of ``seeds`` into ``out`` as ``kick_s000042.wav`` + ``.json``; returns the WAV paths.

    Refuses (before writing anything) to overwrite an existing file unless ``force``.
    """
    paths = [Path(out) / f"{kick_name(s)}.wav" for s in seeds]
    check_free(paths + [p.with_suffix(".json") for p in paths], force)
    z = latents_for(sampler, seeds, truncation, controls)
    infos = [{"seed": int(s)} for s in seeds]
    return render_latents(sampler, z, paths, opts, infos, truncation=truncation, controls=controls)
