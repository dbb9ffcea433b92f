"""Kernel Inception Distance in an audio embedding.

Binkowski, Sutherland, Arbel, Gretton, "Demystifying MMD GANs", ICLR 2018: the
unbiased estimate of the squared MMD with the cubic polynomial kernel
``k(x, y) = (x.y / d + 1)^3``, averaged over random subsets (mean +- std).
Where a subset holds a whole set (sets of at most ``subset_size``), the subsets do not
vary (or vary in one set only), so their spread says nothing; the std reported is then
the delete-one jackknife standard error of the estimate on the whole sets (Efron and
Stein 1981), which is what the subsets' std estimates for larger sets. Unlike the Frechet distance it has no bias from small samples: two samples of one
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
    Where that is all of either set, the std is :func:`jackknife_std` of the whole sets.
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
    spread = jackknife_std(x, y) if size in (len(x), len(y)) else float(np.std(values))
    return float(np.mean(values)), spread


def jackknife_std(x: np.ndarray, y: np.ndarray) -> float:
    """Delete-one jackknife standard error of :func:`mmd2_unbiased` of ``x [m,D]`` and ``y [n,D]``:
    ``sqrt((m-1) var_i(MMD^2 without x_i) + (n-1) var_j(MMD^2 without y_j))``, 0 below 3 rows."""
    m, n, d = len(x), len(y), x.shape[1]
    if min(m, n) < 3:
        return 0.0
    kxx, kyy, kxy = ((a @ b.T / d + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    off_x, off_y = kxx.sum() - np.trace(kxx), kyy.sum() - np.trace(kyy)
    rows_x, rows_y = kxx.sum(1) - np.diag(kxx), kyy.sum(1) - np.diag(kyy)  # off-diagonal row sums
    sxx, syy, sxy = off_x / (m * (m - 1)), off_y / (n * (n - 1)), kxy.sum()
    without_x = (off_x - 2 * rows_x) / ((m - 1) * (m - 2)) + syy - 2 * (sxy - kxy.sum(1)) / ((m - 1) * n)
    without_y = sxx + (off_y - 2 * rows_y) / ((n - 1) * (n - 2)) - 2 * (sxy - kxy.sum(0)) / (m * (n - 1))
    return float(np.sqrt((m - 1) * np.var(without_x) + (n - 1) * np.var(without_y)))


@register_metric("kid", paper="Binkowski et al. 2018, Demystifying MMD GANs (ICLR)")
def kid_metric(gen, ref, train=None) -> dict:
    """KID (mean over 100 subsets, and its std: :func:`kernel_distance`) between generated and
    reference clips in the aisfx embedding."""
    mean, std = kernel_distance(gen.emb, ref.emb)
    return {f"kid/{NAME}": mean, f"kid_std/{NAME}": std}
