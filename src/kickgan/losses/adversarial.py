"""Adversarial losses on logits: non-saturating BCE, Wasserstein, hinge. Pure functions.

Each takes D's raw logits (no sigmoid) and returns a scalar to minimise:

| kind    | D minimises                                  | G minimises          |
| ------- | -------------------------------------------- | -------------------- |
| bce     | softplus(-D(x)) + softplus(D(G(z)))          | softplus(-D(G(z)))   |
| wgan-gp | D(G(z)) - D(x)                               | -D(G(z))             |
| hinge   | relu(1 - D(x)) + relu(1 + D(G(z)))           | -D(G(z))             |

bce is Goodfellow et al. (2014)'s non-saturating game; wgan-gp is Arjovsky et al. (2017)'s
Wasserstein loss, used with a gradient penalty (Gulrajani et al. 2017, added separately:
:func:`kickgan.losses.gradient_penalty`) or a spectrally normalised critic; hinge is
Lim & Ye (2017) / Miyato et al. (2018). :data:`KINDS` is the one list of loss kinds: the
config's ``loss.kind`` and :func:`kickgan.models.check_compatible` take it from here.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from kickgan.errors import ParameterError

KINDS = ("bce", "wgan-gp", "hinge")


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise ParameterError(f"loss: must be one of {', '.join(KINDS)} (got {kind!r})")


def d_loss(kind: str, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """D's loss from logits real [B] and fake [B]; a scalar (means over the batch)."""
    _check(kind)
    if kind == "bce":
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    if kind == "wgan-gp":
        return fake_logits.mean() - real_logits.mean()
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_loss(kind: str, fake_logits: torch.Tensor) -> torch.Tensor:
    """G's loss from D's logits on fakes [B]; a scalar."""
    _check(kind)
    if kind == "bce":
        return F.softplus(-fake_logits).mean()
    return -fake_logits.mean()
