"""Density and coverage (Naeem, Oh, Uh, Choi, Yoo, "Reliable fidelity and diversity
metrics for generative models", ICML 2020) in the aisfx-512 embedding.

Each reference clip X_i gets a ball of radius NND_k(X_i), the distance to its k-th
nearest other reference clip.
- density = 1/(k M) sum_j #{i : Y_j in ball_i}: how many reference neighbourhoods a
  generated clip falls in, on average, over k; about 1 when the sets match, above 1
  when generated clips crowd into dense real regions (fidelity).
- coverage = fraction of reference balls that hold at least one generated clip
  (diversity: 1 when every kind of real kick has a generated neighbour).
"""

from __future__ import annotations

import numpy as np

from kickgan.errors import ParameterError
from kickgan.metrics.embedding import NAME
from kickgan.metrics.memorisation import pairwise_distances
from kickgan.metrics.registry import register_metric

K = 5


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = K) -> tuple[float, float]:
    """Density and coverage of ``fake [M,D]`` with respect to ``real [N,D]`` (``k < N``)."""
    if not 1 <= k < len(real):
        raise ParameterError(f"k must be in [1, {len(real) - 1}] for {len(real)} real samples, got {k}")
    d_real = pairwise_distances(real, real)
    radii = np.sort(d_real, axis=1)[:, k]  # column 0 is the sample itself
    inside = pairwise_distances(real, fake) <= radii[:, None]  # [N,M]
    density = inside.sum() / (k * fake.shape[0])
    coverage = inside.any(axis=1).mean()
    return float(density), float(coverage)


@register_metric("coverage", paper="Naeem et al. 2020, Reliable fidelity and diversity metrics (ICML)")
def coverage_metric(gen, ref, train=None) -> dict:
    """Density and coverage with k = 5 (fewer for tiny reference sets) in the aisfx embedding."""
    k = min(K, len(ref) - 1)
    density, coverage = density_coverage(ref.emb, gen.emb, k)
    return {f"density/{NAME}": density, f"coverage/{NAME}": coverage, "coverage/k": k}
