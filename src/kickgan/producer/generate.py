"""Kicks by seed: latents from seeds (truncated, steered), decoded one by one, finished and written.

Every kick is decoded on its own (batch of one): convolution kernels may round
differently for different batch sizes, and a producer who asks for seed 42 alone
tomorrow must get the same bytes as today's seed 42 among sixteen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch

from kickgan.errors import ParameterError
from kickgan.producer import controls as controls_mod
from kickgan.producer.export import ExportOptions, check_seeds_free, finish, kick_name, write_kick

CHUNK = 256  # seeds whose latents are drawn at once (a few hundred kB); then their kicks are written


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
    force: bool = False,
) -> list[Path]:
    """Decode each row of ``z [B, z_dim]`` alone, finish it and write it to ``paths[i]`` with a sidecar
    holding the checkpoint hash, the exact latent and ``infos[i]`` (seed, ...). Unless ``force``, a
    name another process took meanwhile stops it with a ``KickganError`` (nothing is overwritten)."""
    for row, path, info in zip(z, paths, infos):
        write_kick(path, render(sampler, row, opts), opts, sidecar(sampler, row, info, truncation, controls), force)
    return paths


def render(sampler, row: torch.Tensor, opts: ExportOptions) -> np.ndarray:
    """The finished kick ``[T']`` (at ``opts.sr``) of one latent ``row [z_dim]``, decoded alone."""
    wave = sampler.decode(row[None])  # [1, 1, T]
    return finish(wave[0, 0].detach().cpu().numpy(), sampler.sr, opts)


def sidecar(sampler, row: torch.Tensor, info: dict, truncation: float = 1.0, controls: dict | None = None) -> dict:
    """What a kick's sidecar holds beside the export options: checkpoint, ``info``, truncation, controls, latent."""
    return {
        "checkpoint": str(sampler.path),
        "checkpoint_hash": sampler.checkpoint_hash,
        **info,
        "truncation": truncation,
        "controls": dict(controls or {}),
        "latent": [float(v) for v in row.tolist()],
    }


def generate_each(
    sampler,
    seeds: Sequence[int],
    out: str | Path,
    opts: ExportOptions = ExportOptions(),
    *,
    truncation: float = 1.0,
    controls: dict | None = None,
    force: bool = False,
) -> Iterator[Path]:
    """Write the kicks of ``seeds`` into ``out`` as ``kick_s000042.wav`` + ``.json``, yielding each WAV
    path once written. Streams: latents are drawn ``CHUNK`` seeds at a time and written before the
    next are drawn, so memory stays bounded for any number of seeds (pass a ``range`` for many).

    Refuses (before writing anything) to overwrite an existing file unless ``force``.
    """
    out = Path(out)
    check_seeds_free(out, seeds, force)
    for start in range(0, len(seeds), CHUNK):
        chunk = [int(s) for s in seeds[start : start + CHUNK]]
        z = latents_for(sampler, chunk, truncation, controls)
        paths = [out / f"{kick_name(s)}.wav" for s in chunk]
        infos = [{"seed": s} for s in chunk]
        yield from render_latents(sampler, z, paths, opts, infos, truncation=truncation, controls=controls, force=force)


def generate(
    sampler,
    seeds: Sequence[int],
    out: str | Path,
    opts: ExportOptions = ExportOptions(),
    *,
    truncation: float = 1.0,
    controls: dict | None = None,
    force: bool = False,
) -> list[Path]:
    """:func:`generate_each`, all at once: the WAV paths written."""
    return list(generate_each(sampler, seeds, out, opts, truncation=truncation, controls=controls, force=force))
