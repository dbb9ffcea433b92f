"""Model families: what inference needs of a trained model, whatever trained it.

A family names the ``model.arch`` values it owns and the config classes of its ``model``, ``loss``
and ``optim`` sections (:func:`kickgan.config.config_from_dict` builds those sections with them),
builds the generator of a config (a module ``z [B, z_dim] -> x [B, *rep.shape]``, differentiable
in ``z``) and its networks for layer tables, and says which checkpoint entry holds the weights to
sample from. :class:`kickgan.sampler.KickSampler` loads every model through
:func:`load_sampling_generator`, so the producer tools (generate, interpolate, encode, controls),
which only see ``sampler.G``, work for any family whose generator has that signature.

    family = family_of(cfg.model)                      # gan for dcgan / specgan / wavegan, flow for flow
    G = load_sampling_generator(cfg.model, rep.shape, state)

The training side of a family (its solver) is :mod:`kickgan.train.solvers`; docs/adding-a-model.md
shows both halves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from torch import nn

from kickgan.errors import KickganError, ParameterError
from kickgan.models.build import build_models
from kickgan.models.config import ARCHS, LossConfig, ModelConfig, OptimConfig, check_compatible
from kickgan.models.flow import FLOW_ARCHS, FlowGenerator, FlowLoss, FlowModel, FlowOptim, check_flow

SECTIONS = ("model", "loss", "optim")


@dataclass(frozen=True)
class ModelFamily:
    """One family of models.

    name; archs: the ``model.arch`` values it owns. sections: the frozen dataclass of each config
    section in :data:`SECTIONS` (the ``model`` one has ``arch``, ``z_dim`` and ``latent``, which
    :func:`kickgan.models.sample_latents` reads). check(train_cfg): raises ``ParameterError`` for
    sections that do not fit together. build_generator(model_cfg, shape): the sampling generator.
    build_networks(model_cfg, shape): ``{name: (module, input shape)}`` of the freshly initialised
    networks, for layer tables and parameter counts. sampling_key: the checkpoint entry (a dict
    with a ``"model"`` state dict) the generator loads. checkpoint_keys: the entries its solver's
    state adds to a checkpoint (:func:`kickgan.checkpoints.load_checkpoint` requires them).
    """

    name: str
    archs: tuple[str, ...]
    sections: dict[str, type]
    check: Callable[[Any], None]
    build_generator: Callable[[Any, tuple[int, ...]], nn.Module]
    build_networks: Callable[[Any, tuple[int, ...]], dict[str, tuple[nn.Module, tuple[int, ...]]]]
    sampling_key: str
    checkpoint_keys: tuple[str, ...]


FAMILIES: dict[str, ModelFamily] = {}


def register_family(family: ModelFamily) -> ModelFamily:
    """Add ``family`` to :data:`FAMILIES`; a name or an arch that is already taken, or sections
    other than :data:`SECTIONS`, is a ``ParameterError``."""
    taken = {arch: f.name for f in FAMILIES.values() for arch in f.archs}
    clash = [arch for arch in family.archs if arch in taken]
    if family.name in FAMILIES or clash:
        raise ParameterError(f"model family {family.name}: name or arch already registered ({', '.join(clash) or family.name})")
    if sorted(family.sections) != sorted(SECTIONS):
        raise ParameterError(f"model family {family.name}: sections must be {', '.join(SECTIONS)} (got {', '.join(family.sections)})")
    FAMILIES[family.name] = family
    return family


def family_of(cfg: Any) -> ModelFamily:
    """The family that owns ``cfg.arch``."""
    return family_of_arch(cfg.arch)


def family_of_arch(arch: str) -> ModelFamily:
    """The family that owns ``model.arch`` value ``arch``."""
    for family in FAMILIES.values():
        if arch in family.archs:
            return family
    raise ParameterError(f"model.arch: no model family owns '{arch}' (families: {', '.join(FAMILIES)})")


def load_sampling_generator(cfg: Any, shape: tuple[int, ...], state: dict) -> nn.Module:
    """The generator of ``cfg``'s family with the weights of ``state[family.sampling_key]["model"]``."""
    family = family_of(cfg)
    G = family.build_generator(cfg, tuple(shape))
    try:
        G.load_state_dict(state[family.sampling_key]["model"])
    except (RuntimeError, KeyError) as exc:
        raise KickganError(f"weights do not fit the stored config ({str(exc).splitlines()[0]})") from None
    return G


def _gan_networks(cfg: ModelConfig, shape: tuple[int, ...]) -> dict[str, tuple[nn.Module, tuple[int, ...]]]:
    G, D = build_models(cfg, shape)
    return {"G": (G, (cfg.z_dim,)), "D": (D, tuple(shape))}


GAN = register_family(ModelFamily(
    name="gan",
    archs=ARCHS,
    sections={"model": ModelConfig, "loss": LossConfig, "optim": OptimConfig},
    check=lambda cfg: check_compatible(cfg.model, cfg.loss.kind, cfg.loss.penalty),
    build_generator=lambda cfg, shape: build_models(cfg, shape)[0],
    build_networks=_gan_networks,
    sampling_key="G_ema",
    checkpoint_keys=("G", "D", "G_ema", "opt_g", "opt_d"),
))

FLOW = register_family(ModelFamily(
    name="flow",
    archs=FLOW_ARCHS,
    sections={"model": FlowModel, "loss": FlowLoss, "optim": FlowOptim},
    check=check_flow,
    build_generator=FlowGenerator,
    build_networks=lambda cfg, shape: {"G": (FlowGenerator(cfg, shape), (cfg.z_dim,))},
    sampling_key="G_ema",
    checkpoint_keys=("G", "G_ema", "opt"),
))
