"""Pure loss functions and regularisers: GAN training, and the flow family's flow matching.

    d = d_loss("wgan-gp", D(real), D(fake.detach())) + 10 * gradient_penalty(D, real, fake)
    g = g_loss("wgan-gp", D(fake)) + weight * durall_loss(fake, spectral_profile(real).mean(0))

Losses only: DiffAugment lives in :mod:`kickgan.modules.augment`, the EMA of G in
:mod:`kickgan.train.ema`.

Check loss / critic combinations with ``kickgan.models.check_compatible(model_cfg, loss_kind)``.
"""

from kickgan.losses.adversarial import KINDS, d_loss, g_loss
from kickgan.losses.durall import durall_loss, spectral_profile
from kickgan.losses.flow_matching import flow_matching_loss, interpolant, sample_times
from kickgan.losses.penalties import gradient_penalty, lecam_penalty, r1_penalty

__all__ = [
    "KINDS",
    "d_loss",
    "durall_loss",
    "flow_matching_loss",
    "g_loss",
    "gradient_penalty",
    "interpolant",
    "lecam_penalty",
    "r1_penalty",
    "sample_times",
    "spectral_profile",
]
