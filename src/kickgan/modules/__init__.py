"""Reusable differentiable blocks that are neither models nor losses: DiffAugment.

    D(diff_augment(x, DEFAULT_POLICY["logmag"], generator))     # same policy for real and fake
"""

from kickgan.modules.augment import DEFAULT_POLICY, OPS, diff_augment, parse_policy

__all__ = ["DEFAULT_POLICY", "OPS", "diff_augment", "parse_policy"]
