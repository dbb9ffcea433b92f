"""Train / validation / test splits by source kit, so no kit is in two splits.

Kits are shuffled with a fixed seed; one goes to test, one to validation, and
each remaining kit goes to the split furthest below its share of clips
(``FRACTIONS``). With fewer than ``MIN_KITS`` kits the clips are split by file instead.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from kickgan.errors import ParameterError

FRACTIONS = {"train": 0.8, "val": 0.1, "test": 0.1}
MIN_KITS = 3


def split_by_kit(kits: list[str], seed: int = 0) -> tuple[list[str], str]:
    """A split name per clip, and how it was split (``"kit"`` or ``"file"``).

    Args:
        kits: the kit of each clip.
        seed: the shuffle seed; the same kits and seed give the same splits.
    """
    sizes = Counter(kits)
    if len(sizes) < MIN_KITS:
        return split_by_file(len(kits), seed), "file"
    order = sorted(sizes)
    np.random.default_rng(seed).shuffle(order)
    assign = {order[0]: "test", order[1]: "val"}
    count = Counter({"test": sizes[order[0]], "val": sizes[order[1]], "train": 0})
    for kit in order[2:]:
        target = {s: FRACTIONS[s] * len(kits) - count[s] for s in FRACTIONS}
        best = max(FRACTIONS, key=lambda s: target[s])
        assign[kit] = best
        count[best] += sizes[kit]
    return [assign[k] for k in kits], "kit"


def split_by_file(n: int, seed: int = 0) -> list[str]:
    """A split name for each of ``n`` clips, shuffled with ``seed``; val and test get one each when ``n >= 3``."""
    if n < 0:
        raise ParameterError(f"n must be >= 0, got {n}")
    n_test = max(1, round(FRACTIONS["test"] * n)) if n >= 3 else 0
    n_val = max(1, round(FRACTIONS["val"] * n)) if n >= 3 else 0
    names = ["test"] * n_test + ["val"] * n_val + ["train"] * (n - n_test - n_val)
    perm = np.random.default_rng(seed).permutation(n)
    return [names[p] for p in perm]
