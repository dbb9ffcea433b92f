"""A row of kicks between two latents: spherical interpolation (slerp).

Gaussian latents live near a sphere; a straight line between two of them passes
through the low-norm middle the generator rarely saw, so the middle kicks go dull.
Slerp keeps the norm (White, "Sampling generative networks", 2016). The endpoints
are the two latents themselves, bit for bit, so the first and last kick of a row are
exactly the kicks of the two seeds (or sidecars).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from kickgan.errors import KickganError, ParameterError
from kickgan.producer.export import ExportOptions, check_free, read_sidecar
from kickgan.producer.generate import latents_for, render_latents

MAX_STEPS = 10_000  # kicks in one row: their latents are held at once


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation between ``z0 [D]`` and ``z1 [D]`` at ``t`` in [0, 1].

    Returns ``z0`` at ``t = 0`` and ``z1`` at ``t = 1`` exactly; falls back to a straight
    line when the two are (anti)parallel to within float precision.
    """
    if not 0.0 <= t <= 1.0:
        raise ParameterError(f"t must be in [0, 1], got {t}")
    if t == 0.0:
        return z0.clone()
    if t == 1.0:
        return z1.clone()
    a, b = z0.double(), z1.double()
    cos = torch.dot(a, b) / (a.norm() * b.norm())
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if float(torch.sin(omega)) < 1e-6:
        return ((1 - t) * a + t * b).to(z0.dtype)
    out = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)
    return out.to(z0.dtype)


def endpoint(sampler, ref: str, truncation: float, controls: dict | None) -> tuple[torch.Tensor, dict]:
    """The latent ``[D]`` of ``ref`` (a seed, or a kick's ``.json``/``.wav`` sidecar) and what it is."""
    if ref.isdigit():
        seed = int(ref)
        z = latents_for(sampler, [seed], truncation, controls)[0]
        return z, {"seed": seed}
    record = read_sidecar(ref)
    if record["checkpoint_hash"] != sampler.checkpoint_hash:
        raise KickganError(f"{ref}: made by another checkpoint (hash {record['checkpoint_hash'][:12]}...)")
    z = torch.tensor(record["latent"], dtype=torch.float32)
    if z.shape != (sampler.z_dim,):
        raise KickganError(f"{ref}: latent has {z.numel()} values, the checkpoint takes {sampler.z_dim}")
    return z, {"sidecar": str(ref), "seed": record.get("seed")}


def interpolate(
    sampler,
    source: str,
    target: str,
    steps: int,
    out: str | Path,
    opts: ExportOptions = ExportOptions(),
    *,
    truncation: float = 1.0,
    controls: dict | None = None,
    force: bool = False,
) -> list[Path]:
    """Write ``steps`` kicks from ``source`` to ``target`` (each a seed or a sidecar path) into ``out``
    as ``interp_<a>_<b>_<i>.wav`` with sidecars (``i`` zero-padded to the width of the last); the first
    and last are the endpoints' own kicks."""
    if not isinstance(steps, int) or not 2 <= steps <= MAX_STEPS:
        raise ParameterError(f"--steps: must be an integer from 2 to {MAX_STEPS}, got {steps!r}")
    (z0, a), (z1, b) = endpoint(sampler, source, truncation, controls), endpoint(sampler, target, truncation, controls)
    ts = np.linspace(0.0, 1.0, steps)  # exactly 0.0 and 1.0 at the ends
    stem = f"interp_{_label(source)}_{_label(target)}"
    width = max(2, len(str(steps - 1)))  # _0000 ... _0999: the names sort in the row's order
    paths = [Path(out) / f"{stem}_{i:0{width}d}.wav" for i in range(steps)]
    check_free(paths + [p.with_suffix(".json") for p in paths], force)
    z = torch.stack([slerp(z0, z1, float(t)) for t in ts])
    seeds = [a["seed"]] + [None] * (steps - 2) + [b["seed"]]  # the endpoints are those kicks
    infos = [{"seed": seed, "from": a, "to": b, "t": float(t)} for seed, t in zip(seeds, ts)]
    return render_latents(sampler, z, paths, opts, infos, truncation=truncation, controls=controls, force=force)


def _label(ref: str) -> str:
    return f"s{int(ref):06d}" if ref.isdigit() else Path(ref).stem
