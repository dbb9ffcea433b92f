"""Model families: what inference needs of a trained model, whatever trained it.

A family names the ``model.arch`` values it owns, builds the generator of a config (a module
``z [B, z_dim] -> x [B, *rep.shape]``, differentiable in ``z``) and says which checkpoint entry
holds the weights to sample from. :class:`kickgan.sampler.KickSampler` loads every model through
:func:`load_sampling_generator`, so the producer tools (generate, interpolate, encode, controls),
which only see ``sampler.G``, work for any family whose generator has that signature.

    family = family_of(cfg.model)                      # the GAN family for dcgan / specgan / wavegan
    G = load_sampling_generator(cfg.model, rep.shape, state)

The training side of a family (its solver: update, state, checkpoint keys) is not behind this
seam yet; docs/adding-a-model.md lists where a new family still has to reach into training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import nn

from kickgan.errors import KickganError, ParameterError
from kickgan.models.build import build_models
from kickgan.models.config import ARCHS, ModelConfig


@dataclass(frozen=True)
class ModelFamily:
    """One family of models: its name, the ``model.arch`` values it owns, how to build its
    sampling generator from a config and data shape, the checkpoint entry (a dict with a
    ``"model"`` state dict) that generator loads, and the entries its solver's state adds to a
    checkpoint (:func:`kickgan.checkpoints.load_checkpoint` requires them)."""

    name: str
    archs: tuple[str, ...]
    build_generator: Callable[[ModelConfig, tuple[int, ...]], nn.Module]
    sampling_key: str
    checkpoint_keys: tuple[str, ...]


FAMILIES: dict[str, ModelFamily] = {}


def register_family(family: ModelFamily) -> ModelFamily:
    """Add ``family`` to :data:`FAMILIES`; a name or an arch that is already taken is a ``ParameterError``."""
    taken = {arch: f.name for f in FAMILIES.values() for arch in f.archs}
    clash = [arch for arch in family.archs if arch in taken]
    if family.name in FAMILIES or clash:
        raise ParameterError(f"model family {family.name}: name or arch already registered ({', '.join(clash) or family.name})")
    FAMILIES[family.name] = family
    return family


def family_of(cfg: ModelConfig) -> ModelFamily:
    """The family that owns ``cfg.arch``."""
    return family_of_arch(cfg.arch)


def family_of_arch(arch: str) -> ModelFamily:
    """The family that owns ``model.arch`` value ``arch``."""
    for family in FAMILIES.values():
        if arch in family.archs:
            return family
    raise ParameterError(f"model.arch: no model family owns '{arch}' (families: {', '.join(FAMILIES)})")


def load_sampling_generator(cfg: ModelConfig, shape: tuple[int, ...], state: dict) -> nn.Module:
    """The generator of ``cfg``'s family with the weights of ``state[family.sampling_key]["model"]``."""
    family = family_of(cfg)
    G = family.build_generator(cfg, tuple(shape))
    try:
        G.load_state_dict(state[family.sampling_key]["model"])
    except (RuntimeError, KeyError) as exc:
        raise KickganError(f"weights do not fit the stored config ({str(exc).splitlines()[0]})") from None
    return G


GAN = register_family(ModelFamily("gan", ARCHS, lambda cfg, shape: build_models(cfg, shape)[0], "G_ema",
                                  ("G", "D", "G_ema", "opt_g", "opt_d")))
