"""The descriptors metric: how far the generated kicks' descriptors are from the reference's.

The descriptors themselves are defined once, in :mod:`kickgan.audio.descriptors`. Distances between
sets: per descriptor the Wasserstein-1 distance between the two distributions after standardising
both by the reference set's mean and standard deviation (so 1.0 means "shifted by one reference
standard deviation").
"""

from __future__ import annotations

import numpy as np
import scipy.stats

from kickgan.audio.descriptors import NAMES
from kickgan.metrics.registry import register_metric


def standardised_w1(gen: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Per-column Wasserstein-1 distance ``[K]`` between ``gen [N,K]`` and ``ref [M,K]``.

    Both are standardised by ``ref``'s column mean and standard deviation; NaNs are
    dropped per column; a column with no finite value on either side gives NaN.
    """
    out = np.full(gen.shape[1], np.nan)
    for k in range(gen.shape[1]):
        g, r = gen[:, k], ref[:, k]
        g, r = g[np.isfinite(g)], r[np.isfinite(r)]
        if len(g) == 0 or len(r) == 0:
            continue
        scale = r.std() if r.std() > 0 else 1.0
        out[k] = scipy.stats.wasserstein_distance((g - r.mean()) / scale, (r - r.mean()) / scale)
    return out


@register_metric("descriptors", paper="kick descriptors; Wasserstein-1 (Villani 2008) on reference-standardised values")
def descriptors_metric(gen, ref, train=None) -> dict:
    """Per-descriptor standardised W1 between generated and reference clips, and their mean; the
    median attack and decay to -40 dB of both sets."""
    w1 = standardised_w1(gen.desc, ref.desc)
    out = {f"desc/w1/{name}": float(v) for name, v in zip(NAMES, w1)}
    out["desc/w1_mean"] = float(np.nanmean(w1)) if np.isfinite(w1).any() else float("nan")
    for name in ("attack_ms", "decay40_ms"):  # the values a producer reads, beside their distances
        k = NAMES.index(name)
        out[f"desc/median/{name}"] = finite_median(gen.desc[:, k])
        out[f"desc/ref_median/{name}"] = finite_median(ref.desc[:, k])
    return out


def finite_median(x: np.ndarray) -> float | None:
    """The median of the finite values of ``x``, or ``None`` (null in JSON) if there are none."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else None
