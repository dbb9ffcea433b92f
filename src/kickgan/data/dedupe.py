"""Near-duplicate detection: the same recording re-encoded, resampled or re-levelled.

Each clip gets a *fingerprint*: mono, resampled to ``FP_SR``, onset-aligned, cut to
``FP_SECONDS`` and scaled to unit energy (:func:`fingerprint`). Two clips are the
same recording when the normalised cross-correlation of their fingerprints
reaches ``THRESHOLD`` within ``MAX_LAG_MS`` (:func:`similarity`). Different
hits of one drum (velocity layers, round robins) correlate far less than that,
and layers of one Hydrogen instrument are never compared at all.
"""

from __future__ import annotations

import numpy as np

from kickgan.audio.preprocess import prepare_clip

FP_SR = 16000
FP_SECONDS = 0.5
THRESHOLD = 0.99
MAX_LAG_MS = 2.0
SCREEN = 0.8  # pairs below this zero-lag correlation are not searched over lags


def fingerprint(y: np.ndarray, sr: int) -> np.ndarray:
    """The fingerprint of ``y [C, T]`` or ``[T]`` at ``sr``: ``[FP_SR * FP_SECONDS]`` float32 of unit norm."""
    fp = prepare_clip(y, sr, FP_SR, int(FP_SR * FP_SECONDS), normalize=None, fade_ms=0.0).astype(np.float64)
    norm = np.linalg.norm(fp)
    return (fp / norm if norm > 0 else fp).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray, max_lag: int) -> float:
    """Largest normalised cross-correlation of two unit-norm fingerprints over lags ``-max_lag..max_lag``."""
    full = np.correlate(a.astype(np.float64), b.astype(np.float64), mode="full")  # lag 0 at index len(b) - 1
    mid = len(b) - 1
    return float(full[mid - max_lag : mid + max_lag + 1].max())


def find_near_duplicates(fps: np.ndarray, groups: list[str | None]) -> dict[int, tuple[int, float]]:
    """Which clips repeat an earlier one.

    Args:
        fps: ``[N, L]`` fingerprints, in order of preference (an earlier clip is kept).
        groups: per clip, a group whose members are never compared with each other
            (the kit and instrument of a Hydrogen layer), or ``None``.

    Returns:
        ``{i: (j, similarity)}`` for each clip ``i`` that repeats a kept clip ``j < i``.
    """
    max_lag = int(round(MAX_LAG_MS * FP_SR / 1000))
    gram = fps.astype(np.float64) @ fps.astype(np.float64).T  # [N, N] zero-lag correlations
    dup: dict[int, tuple[int, float]] = {}
    for i in range(len(fps)):
        for j in np.flatnonzero(gram[i, :i] >= SCREEN):
            if j in dup or (groups[i] is not None and groups[i] == groups[j]):
                continue
            s = similarity(fps[i], fps[j], max_lag)
            if s >= THRESHOLD:
                dup[i] = (int(j), s)
                break
    return dup
