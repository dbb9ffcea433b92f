"""ModelConfig validation, published defaults, dict round trip, and loss / critic compatibility."""

import dataclasses

import pytest

from kickgan.config import config_from_dict
from kickgan.errors import KickganError, ParameterError
from kickgan.models import ModelConfig, check_compatible


@pytest.mark.parametrize(
    ("arch", "kernel", "norms", "shuffle", "latent"),
    [
        ("dcgan", 4, ("batch", "batch"), 0, "normal"),
        ("specgan", 5, ("none", "none"), 0, "uniform"),
        ("wavegan", 25, ("none", "none"), 2, "uniform"),
    ],
)
def test_unset_fields_take_the_published_defaults(arch, kernel, norms, shuffle, latent):
    cfg = ModelConfig(arch=arch)
    assert (cfg.kernel, (cfg.g_norm, cfg.d_norm), cfg.phase_shuffle, cfg.latent) == (kernel, norms, shuffle, latent)


def test_explicit_fields_override_the_defaults():
    cfg = ModelConfig(arch="wavegan", kernel=9, d_norm="spectral", phase_shuffle=0, latent="normal")
    assert (cfg.kernel, cfg.d_norm, cfg.phase_shuffle, cfg.latent) == (9, "spectral", 0, "normal")


def test_config_is_frozen_and_round_trips_through_a_dict():
    cfg = ModelConfig(arch="specgan", width=32, upsample="durall")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.width = 8
    assert ModelConfig(**cfg.to_dict()) == cfg
    assert cfg.to_dict()["kernel"] == 5  # resolved values are written out


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"arch": "biggan"}, "model.arch: must be one of dcgan, specgan, wavegan, flow (got 'biggan')"),
        ({"upsample": "bilinear"}, "model.upsample"),
        ({"d_norm": "layer"}, "model.d_norm"),
        ({"width": 0}, "model.width: must be at least 1 (got 0)"),
        ({"z_dim": 2.5}, "model.z_dim"),
        ({"kernel": True}, "model.kernel"),
        ({"phase_shuffle": 2}, "model.phase_shuffle: only wavegan"),
        ({"leak": 1.5}, "model.leak"),
        ({"latent": "cauchy"}, "model.latent"),
        ({"widht": 32}, "model.widht: unknown option"),
        (["dcgan"], "model: expected a mapping of options (got list)"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_option(values, message):
    # the model section is checked as every config section is (kickgan.config, kickgan.checks)
    with pytest.raises(KickganError, match="^t.yaml: " + message.replace("(", r"\(").replace(")", r"\)")):
        config_from_dict({"name": "t", "model": values, "loss": {"kind": "hinge"}}, source="t.yaml")


@pytest.mark.parametrize(
    ("d_norm", "loss", "penalty", "ok"),
    [
        ("batch", "bce", None, True),
        ("batch", "hinge", None, True),
        ("batch", "wgan-gp", None, False),  # WGAN-GP critic with batch norm
        ("batch", "bce", "r1", False),
        ("none", "wgan-gp", None, True),
        ("none", "wgan-gp", "none", False),  # an unconstrained critic
        ("spectral", "wgan-gp", "none", True),
        ("spectral", "hinge", "r1", True),
    ],
)
def test_check_compatible(d_norm, loss, penalty, ok):
    cfg = ModelConfig(arch="dcgan", d_norm=d_norm)
    if ok:
        check_compatible(cfg, loss, penalty)
    else:
        with pytest.raises(ParameterError):
            check_compatible(cfg, loss, penalty)


def test_check_compatible_names_unknown_losses():
    with pytest.raises(ParameterError, match="loss: must be one of bce, wgan-gp, hinge \\(got 'lsgan'\\)"):
        check_compatible(ModelConfig(), "lsgan")
