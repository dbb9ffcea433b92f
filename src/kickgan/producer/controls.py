"""Steering kicks: latent directions for body pitch, decay length and click.

A direction is found once per checkpoint, after InterFaceGAN (Shen, Gu, Tang & Zhou,
"Interpreting the latent space of GANs for semantic face editing", CVPR 2020):

1. decode ``N_FIT`` kicks from seeds ``FIT_SEED + i`` and measure each with the evaluation
   suite's descriptors (:func:`kickgan.metrics.descriptors.describe`);
2. regress each standardised descriptor (log body frequency at 100 ms, log decay time to
   -20 dB, click energy in dB) linearly on the latents: its weight vector ``w_k`` points the
   way the descriptor grows;
3. make each direction orthogonal to the other descriptors' weight vectors, so that moving
   along it leaves their linear prediction unchanged ("conditional manipulation");
4. scale: one step is one standard deviation of the sampled latents along the direction.

``--pitch +1 --decay -0.5`` then moves a latent by ``+1`` step along the pitch direction and
``-0.5`` along the decay one. The directions, steps, fit quality (R^2) and the predicted change
of each descriptor per step are stored beside the checkpoint (``best.pt`` -> ``best.controls.json``,
written atomically) and refitted when the checkpoint's hash changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from kickgan.errors import KickganError
from kickgan.io import read_json, write_json
from kickgan.metrics.descriptors import NAMES, describe

FORMAT = "kickgan-controls/1"
N_FIT = 512
FIT_SEED = 1_000_000  # fitting seeds start here, away from the seeds producers use
BATCH = 64
MIN_RESIDUAL = 0.05
# control -> (descriptor, transform applied before the regression)
CONTROLS: dict[str, tuple[str, str]] = {
    "pitch": ("body_hz_100ms", "log2"),
    "decay": ("decay20_ms", "log2"),
    "click": ("click_db", "identity"),
}


def controls_path(sampler) -> Path:
    """Where the directions of ``sampler``'s checkpoint live: ``<checkpoint>.controls.json`` beside it."""
    path = Path(sampler.path)
    return path.with_name(path.stem + ".controls.json")


def measure(sampler, z: torch.Tensor) -> np.ndarray:
    """The transformed control descriptors ``[B, len(CONTROLS)]`` of the kicks of ``z [B, z_dim]``."""
    clips = []
    with torch.no_grad():
        for i in range(0, len(z), BATCH):
            clips.append(sampler.decode(z[i : i + BATCH])[:, 0].cpu().numpy())
    desc = describe(np.concatenate(clips), sampler.sr)
    cols = [desc[:, NAMES.index(name)] for name, _ in CONTROLS.values()]
    with np.errstate(invalid="ignore"):  # floored at 1 Hz / 1 ms: a decay of "0 ms" must not be -inf
        cols = [np.log2(np.maximum(c, 1.0)) if t == "log2" else c for c, (_, t) in zip(cols, CONTROLS.values())]
    return np.stack(cols, axis=1)


def orthogonalise(w: np.ndarray) -> np.ndarray:
    """Unit directions ``[K, D]``: row k of ``w [K, D]`` minus its projection on the span of the
    other rows, normalised (so ``w_j . d_k = 0`` for ``j != k``). A row that keeps less than
    ``MIN_RESIDUAL`` of its length is (nearly) a mix of the others and cannot be steered alone."""
    out = np.empty_like(w, dtype=np.float64)
    for k in range(len(w)):
        others = np.delete(w, k, axis=0).T  # [D, K-1]
        d = w[k].astype(np.float64)
        if others.size:
            q, _ = np.linalg.qr(others)
            d = d - q @ (q.T @ d)
        norm = np.linalg.norm(d)
        if norm < MIN_RESIDUAL * np.linalg.norm(w[k]):
            raise KickganError(f"controls: the {list(CONTROLS)[k]} direction is a mix of the others; cannot separate")
        out[k] = d / norm
    return out


def fit_directions(z: np.ndarray, y: np.ndarray) -> dict:
    """Fit the directions from latents ``z [N, D]`` and descriptors ``y [N, K]`` (NaN rows dropped).

    Returns ``{name: {"direction", "step", "r2", "per_step", "mean", "std"}}``: the unit direction,
    one step (latent standard deviation along it), the regression's R^2 and the predicted change of
    the (transformed) descriptor per step, in its own units.
    """
    keep = np.isfinite(y).all(axis=1)
    if keep.sum() < z.shape[1] + 2:
        raise KickganError(f"controls: only {int(keep.sum())} of {len(z)} kicks could be measured; cannot fit")
    z, y = z[keep].astype(np.float64), y[keep]
    mean, std = y.mean(axis=0), y.std(axis=0) + 1e-12
    zc, yc = z - z.mean(axis=0), (y - mean) / std
    w, *_ = np.linalg.lstsq(zc, yc, rcond=None)  # [D, K]
    r2 = 1 - ((yc - zc @ w) ** 2).sum(axis=0) / (yc**2).sum(axis=0)
    dirs = orthogonalise(w.T)
    out = {}
    for k, name in enumerate(CONTROLS):
        step = float((zc @ dirs[k]).std())
        out[name] = {
            "descriptor": CONTROLS[name][0],
            "transform": CONTROLS[name][1],
            "direction": dirs[k].tolist(),
            "step": step,
            "r2": float(r2[k]),
            "per_step": float(w[:, k] @ dirs[k] * step * std[k]),
            "mean": float(mean[k]),
            "std": float(std[k]),
        }
    return out


def _stored(sampler) -> dict | None:
    path = controls_path(sampler)
    if not path.exists():
        return None
    record = read_json(path)
    ok = isinstance(record, dict) and record.get("format") == FORMAT
    return record if ok and record.get("checkpoint_hash") == sampler.checkpoint_hash else None


def is_fitted(sampler) -> bool:
    """Whether directions for exactly this checkpoint are stored beside it."""
    return _stored(sampler) is not None


def load_or_fit(sampler, n: int = N_FIT) -> dict:
    """The control directions of ``sampler``'s checkpoint: read from beside it, or fitted on ``n``
    kicks and stored there (when missing, or made for another checkpoint hash)."""
    record = _stored(sampler)
    if record is not None:
        return record
    path = controls_path(sampler)
    z = sampler.latents(list(range(FIT_SEED, FIT_SEED + n)))
    fitted = fit_directions(z.numpy(), measure(sampler, z))
    record = {"format": FORMAT, "checkpoint_hash": sampler.checkpoint_hash, "n": n, "fit_seed": FIT_SEED,
              "controls": fitted}
    write_json(path, record)
    return record


def steer(sampler, z: torch.Tensor, amounts: dict, record: dict | None = None) -> torch.Tensor:
    """Move ``z [B, z_dim]`` by ``amounts`` (``{"pitch": +1, ...}``, in steps) along the directions."""
    record = record or load_or_fit(sampler)
    unknown = sorted(set(amounts) - set(CONTROLS))
    if unknown:
        raise KickganError(f"controls: unknown {', '.join(unknown)} (known: {', '.join(CONTROLS)})")
    offset = np.zeros(z.shape[1])
    for name, amount in amounts.items():
        c = record["controls"][name]
        offset += float(amount) * c["step"] * np.asarray(c["direction"])
    return z + torch.from_numpy(offset).to(z.dtype)
