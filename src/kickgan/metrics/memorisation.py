"""Memorisation: is a generated kick a copy of a training kick?

For each generated clip, the distance to its nearest training clip, divided by the
median distance between a training clip and its nearest *other* training clip
(leave-one-out). A ratio of 1 means "as close to the training set as training kicks
are to each other"; a ratio near 0 is a copy. Measured in two spaces: the aisfx
log-mel spectrogram (flattened) and the aisfx-512 embedding. A generated clip is a
near-copy when its log-mel ratio is below ``COPY_RATIO``; the report names the
nearest training file of each (Gulrajani et al. 2020 and Meehan et al. 2020 argue for
such train-set nearest-neighbour checks next to FD/KID, which copies would ace).
"""

from __future__ import annotations

import numpy as np

from kickgan.errors import ParameterError
from kickgan.metrics.embedding import NAME
from kickgan.metrics.registry import register_metric

COPY_RATIO = 0.1
MAX_LISTED = 10


def pairwise_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Euclidean distances ``[M,N]`` between rows of ``x [M,D]`` and ``y [N,D]`` (float64)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    d2 = (x**2).sum(1)[:, None] + (y**2).sum(1)[None, :] - 2.0 * x @ y.T
    return np.sqrt(np.maximum(d2, 0.0))


def nearest(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``x``, the distance ``[M]`` to and index ``[M]`` of its nearest row of ``y``."""
    d = pairwise_distances(x, y)
    idx = d.argmin(axis=1)
    return d[np.arange(len(x)), idx], idx


def leave_one_out_nn(y: np.ndarray) -> np.ndarray:
    """Distance ``[N]`` from each row of ``y`` to its nearest other row (needs N >= 2)."""
    d = pairwise_distances(y, y)
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


def nn_ratios(gen: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-training distance of each ``gen`` row over the training set's median LOO NN distance.

    Returns the ratios ``[M]`` and the index ``[M]`` of each nearest training row.
    """
    if len(train) < 2:
        raise ParameterError(f"memorisation needs at least 2 training clips, got {len(train)}")
    dist, idx = nearest(gen, train)
    scale = np.median(leave_one_out_nn(train))
    return dist / max(scale, 1e-12), idx


@register_metric(
    "memorisation",
    paper="nearest-neighbour distances to the training set (cf. Meehan et al. 2020, AISTATS)",
    needs_train=True,
)
def memorisation_metric(gen, ref, train) -> dict:
    """Nearest-training-kick ratios (median, 5th percentile) and near-copies, named."""
    r_mel, idx = nn_ratios(gen.mel, train.mel)
    r_emb, _ = nn_ratios(gen.emb, train.emb)
    copies = np.flatnonzero(r_mel < COPY_RATIO)
    listed = "; ".join(f"{gen.names[i]} ~ {train.names[idx[i]]} ({r_mel[i]:.3f})" for i in copies[:MAX_LISTED])
    return {
        "mem/nn_ratio_median/logmel": float(np.median(r_mel)),
        "mem/nn_ratio_p05/logmel": float(np.percentile(r_mel, 5)),
        f"mem/nn_ratio_median/{NAME}": float(np.median(r_emb)),
        f"mem/nn_ratio_p05/{NAME}": float(np.percentile(r_emb, 5)),
        "mem/near_copies": int(len(copies)),
        "mem/near_copy_fraction": float(len(copies) / len(r_mel)),
        "mem/near_copy_names": listed,
    }
