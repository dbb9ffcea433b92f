"""Pure loss functions and regularisers for GAN training.

    d = d_loss("wgan", D(real), D(fake.detach())) + 10 * gradient_penalty(D, real, fake)
    g = g_loss("wgan", D(fake)) + weight * durall_loss(fake, spectral_profile(real).mean(0))
    D(diff_augment(x, DEFAULT_POLICY["logmag"], generator))     # same policy for real and fake
    ema = EMA(G, decay=0.999); ema.update(G) after each G step; sample from ema.model

Check loss / critic combinations with ``kickgan.models.check_compatible(model_cfg, loss_kind)``.
"""

from kickgan.losses.adversarial import KINDS, d_loss, g_loss
from kickgan.losses.augment import DEFAULT_POLICY, OPS, diff_augment, parse_policy
from kickgan.losses.durall import durall_loss, spectral_profile
from kickgan.losses.ema import EMA
from kickgan.losses.penalties import gradient_penalty, r1_penalty

__all__ = [
    "DEFAULT_POLICY",
    "EMA",
    "KINDS",
    "OPS",
    "d_loss",
    "diff_augment",
    "durall_loss",
    "g_loss",
    "gradient_penalty",
    "parse_policy",
    "r1_penalty",
    "spectral_profile",
]
