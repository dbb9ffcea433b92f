"""Validity: the share of clips that are silent, non-finite or clipped.

Measured on the clips as produced (before any normalisation):
- non-finite: any NaN or infinite sample;
- silent: peak below -80 dBFS (1e-4);
- clipped: a flat top, ``FLAT_RUN`` or more consecutive equal samples at or beyond
  +-0.999 (a peak-normalised low sine is near 1.0 for several samples, but never flat).
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage

from kickgan.metrics.registry import register_metric

SILENT_PEAK = 1e-4
CLIP_LEVEL = 0.999
FLAT_RUN = 3
FLAGS = ("nonfinite", "silent", "clipped")


def validity_flags(clips: np.ndarray) -> np.ndarray:
    """``[N, 3]`` booleans (nonfinite, silent, clipped) for ``clips [N,T]``."""
    clips = np.asarray(clips)
    finite = np.isfinite(clips)
    nonfinite = ~finite.all(axis=1)
    mag = np.abs(np.where(finite, clips, 0.0))
    silent = ~nonfinite & (mag.max(axis=1) < SILENT_PEAK)
    flat = (np.abs(np.diff(mag, axis=1)) <= 1e-7) & (mag[:, 1:] >= CLIP_LEVEL)  # [N,T-1]
    run = scipy.ndimage.uniform_filter1d(flat.astype(np.float32), FLAT_RUN - 1, axis=1, mode="constant")
    clipped = (run >= 1.0 - 1e-6).any(axis=1)
    return np.stack([nonfinite, silent, clipped], axis=1)


@register_metric("validity", paper="sanity checks: fraction of silent, non-finite and clipped clips")
def validity_metric(gen, ref=None, train=None) -> dict:
    """Fractions of generated clips flagged non-finite, silent, clipped, and valid (none of them)."""
    out = {f"valid/{name}": float(gen.flags[:, i].mean()) for i, name in enumerate(FLAGS)}
    out["valid/ok"] = float((~gen.flags.any(axis=1)).mean())
    return out
