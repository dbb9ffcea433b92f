"""Cache the features of real sets by content hash.

Reference and training sets are scored again and again against new generators; their
features depend only on the clips, the sample rate and this code's feature version,
so they are stored in ``CACHE_DIR/<sha256>.npz`` (atomic write, ``allow_pickle=False``).
The folder is ``$KICKGAN_CACHE/metrics`` or ``~/.cache/kickgan/metrics``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np

from kickgan.io import atomic_path
from kickgan.metrics.features import ARRAYS, Features

# Bump when any feature's definition changes, so that old cache entries are ignored.
FEATURE_VERSION = "kickgan-metrics/4"  # 2: band levels; 3: edges; 4: the early level among the edges


def default_cache_dir() -> Path:
    """``$KICKGAN_CACHE/metrics``, else ``~/.cache/kickgan/metrics``."""
    root = os.environ.get("KICKGAN_CACHE") or Path.home() / ".cache" / "kickgan"
    return Path(root) / "metrics"


def content_hash(clips: np.ndarray, sr: int) -> str:
    """SHA-256 of the clips' float32 bytes, shape, sample rate and feature version."""
    clips = np.ascontiguousarray(clips, dtype=np.float32)
    h = hashlib.sha256(f"{FEATURE_VERSION}|{sr}|{clips.shape}".encode())
    h.update(clips.tobytes())
    return h.hexdigest()


def cached_features(
    clips: np.ndarray, sr: int, names: list[str], compute: Callable[[], Features], cache_dir: Path | None
) -> tuple[Features, bool]:
    """The features of ``clips``: from the cache if present, else ``compute()`` and store.

    Returns the features and whether they came from the cache. ``cache_dir=None``
    disables the cache.
    """
    if cache_dir is None:
        return compute(), False
    path = Path(cache_dir) / f"{content_hash(clips, sr)}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as data:
                return Features(list(names), sr, **{k: data[k] for k in ARRAYS}), True
        except (OSError, ValueError, KeyError):
            pass  # a damaged entry is recomputed and replaced
    feats = compute()
    with atomic_path(path) as tmp:
        np.savez(tmp, **feats.arrays())
    return feats, False
