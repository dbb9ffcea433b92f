"""Kernel Inception Distance in an audio embedding.

Binkowski, Sutherland, Arbel, Gretton, "Demystifying MMD GANs", ICLR 2018: the
unbiased estimate of the squared MMD with the cubic polynomial kernel
``k(x, y) = (x.y / d + 1)^3``, averaged over random subsets (mean +- std).
Unlike the Frechet distance it has no bias from small samples: two samples of one
distribution score about 0 (sometimes below).
"""

from __future__ import annotations

import numpy as np

from kickgan.errors import ParameterError
from kickgan.metrics.embedding import NAME
from kickgan.metrics.registry import register_metric


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 between ``x [m,D]`` and ``y [n,D]`` with the cubic polynomial kernel."""
    d = x.shape[1]
    kxx = (x @ x.T / d + 1.0) ** 3
    kyy = (y @ y.T / d + 1.0) ** 3
    kxy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    sxx = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    syy = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(sxx + syy - 2.0 * kxy.mean())


def kernel_distance(
    x: np.ndarray, y: np.ndarray, n_subsets: int = 100, subset_size: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """KID between samples ``x [m,D]`` and ``y [n,D]``: mean and std over random subsets.

    Each subset draws ``min(subset_size, m, n)`` rows of each set without replacement.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    size = min(subset_size, len(x), len(y))
    if size < 2:
        raise ParameterError(f"KID needs at least 2 samples in each set, got {len(x)} and {len(y)}")
    rng = np.random.default_rng(seed)
    values = [
        mmd2_unbiased(x[rng.choice(len(x), size, replace=False)], y[rng.choice(len(y), size, replace=False)])
        for _ in range(n_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


@register_metric("kid", paper="Binkowski et al. 2018, Demystifying MMD GANs (ICLR)")
def kid_metric(gen, ref, train=None) -> dict:
    """KID (mean and std over 100 subsets) between generated and reference clips in the aisfx embedding."""
    mean, std = kernel_distance(gen.emb, ref.emb)
    return {f"kid/{NAME}": mean, f"kid_std/{NAME}": std}
