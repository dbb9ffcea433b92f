"""The GAN family's config sections: ``ModelConfig`` (the generator / discriminator pair),
``LossConfig`` (the adversarial loss and its regularisers) and ``OptimConfig`` (Adam for both
networks); :func:`check_compatible` checks them together.

``ModelConfig`` fields left at ``None`` take the published default of the chosen architecture
and are filled in at construction, so a saved config always states every choice:

| field         | dcgan [1]   | specgan [2]  | wavegan [2]  |
| ------------- | ----------- | ------------ | ------------ |
| kernel        | 4           | 5            | 25           |
| g_norm        | batch       | none         | none         |
| d_norm        | batch       | none         | none         |
| phase_shuffle | 0           | 0            | 2            |
| latent        | normal      | uniform      | uniform      |

[1] Radford, Metz, Chintala, "Unsupervised representation learning with deep
    convolutional generative adversarial networks", ICLR 2016.
[2] Donahue, McAuley, Puckette, "Adversarial audio synthesis", ICLR 2019.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from kickgan.checks import above, at_least, choice, integer, within
from kickgan.errors import ParameterError
from kickgan.losses.adversarial import KINDS as LOSS_KINDS
from kickgan.modules import parse_policy

ARCHS = ("dcgan", "specgan", "wavegan")
UPSAMPLES = ("transposed", "nearest", "durall")
G_NORMS = ("none", "batch")
D_NORMS = ("none", "batch", "spectral")
LATENTS = ("normal", "uniform")
PENALTIES = ("none", "gp", "r1")

_ARCH_DEFAULTS = {
    "dcgan": {"kernel": 4, "g_norm": "batch", "d_norm": "batch", "phase_shuffle": 0, "latent": "normal"},
    "specgan": {"kernel": 5, "g_norm": "none", "d_norm": "none", "phase_shuffle": 0, "latent": "uniform"},
    "wavegan": {"kernel": 25, "g_norm": "none", "d_norm": "none", "phase_shuffle": 2, "latent": "uniform"},
}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of G and D.

    arch: ``dcgan`` (Radford et al. on spectrograms), ``specgan`` or ``wavegan`` (Donahue et al.).
    z_dim: latent size. width: ``d`` of the papers, the channel count of D's first layer.
    upsample: ``transposed`` (strided transposed convolutions), ``nearest`` (nearest-neighbour
        upsampling then a stride-1 convolution, Odena et al. 2016) or ``durall`` (transposed
        convolutions except the last, replaced by nearest upsampling and three convolutions,
        Durall et al. 2020).
    kernel: convolution kernel length (per axis) of the strided layers; stride-1 convolutions
        (after nearest upsampling) use it when odd and ``kernel - 1`` when even.
    g_norm / d_norm: normalisation in G / D.
    phase_shuffle: WaveGAN's phase shuffle radius in D (0 = off; wavegan only).
    latent: ``normal`` (z ~ N(0, 1)) or ``uniform`` (z ~ U(-1, 1)).
    leak: LeakyReLU slope in D.
    """

    arch: str = "dcgan"
    z_dim: int = 100
    width: int = 64
    upsample: str = "transposed"
    kernel: int | None = None
    g_norm: str | None = None
    d_norm: str | None = None
    phase_shuffle: int | None = None
    latent: str | None = None
    leak: float = 0.2

    def __post_init__(self) -> None:
        choice("arch", self.arch, ARCHS)
        for name, value in _ARCH_DEFAULTS[self.arch].items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        choice("upsample", self.upsample, UPSAMPLES)
        choice("g_norm", self.g_norm, G_NORMS)
        choice("d_norm", self.d_norm, D_NORMS)
        choice("latent", self.latent, LATENTS)
        integer("z_dim", self.z_dim)
        integer("width", self.width)
        integer("kernel", self.kernel)
        integer("phase_shuffle", self.phase_shuffle, 0)
        if self.phase_shuffle and self.arch != "wavegan":
            raise ParameterError(f"phase_shuffle: only wavegan's discriminator shuffles phase (got arch {self.arch})")
        within("leak", self.leak, 0.0, 1.0)

    def to_dict(self) -> dict[str, Any]:
        """The resolved config as a plain dict (every field filled in)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class LossConfig:
    """The adversarial loss and its regularisers (see :mod:`kickgan.losses`)."""

    kind: str = "wgan-gp"  # bce | wgan-gp | hinge
    gp_lambda: float = 10.0  # WGAN-GP penalty weight (Gulrajani et al. 2017)
    r1_gamma: float = 0.0  # lazy R1 weight on real data, 0 = off (Mescheder et al. 2018)
    r1_interval: int = 16  # apply R1 every this many D steps
    durall_weight: float = 0.0  # Durall et al. 2020 spectral regulariser on G, 0 = off
    lecam_weight: float = 0.0  # LeCam regulariser on D's outputs (Tseng et al. 2021), 0 = off
    lecam_decay: float = 0.99  # decay of the moving averages of D's real and fake outputs it anchors to
    augment: str = ""  # DiffAugment policy, e.g. "shift,gain,freqmask"; "" = off
    augment_prob: float = 1.0  # probability that a sample is augmented (drawn per sample)

    def __post_init__(self) -> None:
        choice("kind", self.kind, LOSS_KINDS)
        at_least("gp_lambda", self.gp_lambda, 0.0)
        at_least("r1_gamma", self.r1_gamma, 0.0)
        at_least("r1_interval", self.r1_interval, 1)
        at_least("durall_weight", self.durall_weight, 0.0)
        at_least("lecam_weight", self.lecam_weight, 0.0)
        within("lecam_decay", self.lecam_decay, 0.0, 1.0)
        try:
            parse_policy(self.augment)
        except ParameterError as exc:
            raise ParameterError(f"augment: {str(exc).split(': ', 1)[-1]}") from None
        within("augment_prob", self.augment_prob, 0.0, 1.0, closed_high=True)

    @property
    def penalty(self) -> str:
        """The gradient penalty D gets: ``gp``, ``r1`` or ``none``."""
        if self.kind == "wgan-gp":
            return "gp" if self.gp_lambda > 0 else "none"
        return "r1" if self.r1_gamma > 0 else "none"


@dataclass(frozen=True)
class OptimConfig:
    """Adam for both networks; ``n_critic`` D steps per G step."""

    lr_g: float = 1e-4
    lr_d: float = 1e-4
    betas: tuple[float, float] = (0.5, 0.9)
    n_critic: int = 5

    def __post_init__(self) -> None:
        above("lr_g", self.lr_g, 0.0)
        above("lr_d", self.lr_d, 0.0)
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ParameterError(f"betas: each must be in [0, 1) (got {list(self.betas)})")
        at_least("n_critic", self.n_critic, 1)


def check_compatible(cfg: ModelConfig, loss_kind: str, penalty: str | None = None) -> None:
    """Refuse loss / critic combinations that are ill-defined; raise ``ParameterError``.

    penalty: ``gp`` (WGAN-GP), ``r1`` or ``none``; ``None`` means the loss's usual one
    (``gp`` for ``wgan``, ``none`` otherwise). Per-sample gradient penalties are meaningless
    under batch norm, which mixes the samples of a batch (Gulrajani et al. 2017, Sec. 4), and an
    unconstrained Wasserstein critic diverges, so ``wgan`` needs ``gp`` or spectral norm.
    """
    choice("loss", loss_kind, LOSS_KINDS)
    if penalty is None:
        penalty = "gp" if loss_kind == "wgan-gp" else "none"
    choice("penalty", penalty, PENALTIES)
    if cfg.d_norm == "batch" and penalty in ("gp", "r1"):
        raise ParameterError(
            f"model.d_norm: batch norm in the critic breaks the per-sample {penalty} penalty; use none or spectral"
        )
    if cfg.d_norm == "batch" and loss_kind == "wgan-gp":
        raise ParameterError("model.d_norm: a Wasserstein critic must not use batch norm; use none or spectral")
    if loss_kind == "wgan-gp" and penalty != "gp" and cfg.d_norm != "spectral":
        raise ParameterError("loss: wgan-gp needs a Lipschitz constraint: penalty gp or model.d_norm spectral")
