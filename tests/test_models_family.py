"""The model-family seam: which family owns an arch, and the sampler loading through it."""

import dataclasses

import pytest
import torch

from kickgan.errors import KickganError, ParameterError
from kickgan.models import ModelConfig, build_models
from kickgan.models.family import FAMILIES, FLOW, GAN, family_of, load_sampling_generator, register_family
from kickgan.models.flow import FlowModel


@pytest.mark.parametrize("arch", ["dcgan", "specgan", "wavegan"])
def test_the_gan_family_owns_the_three_archs(arch):
    assert family_of(ModelConfig(arch=arch)) is GAN and GAN.sampling_key == "G_ema"


def test_the_flow_family_is_registered_in_tree():
    assert family_of(FlowModel()) is FLOW and FLOW.sampling_key == "G_ema" and FLOW.checkpoint_keys == ("G", "G_ema", "opt")


def test_an_arch_can_belong_to_one_family_only(monkeypatch):
    monkeypatch.setattr("kickgan.models.family.FAMILIES", dict(FAMILIES))
    with pytest.raises(ParameterError, match="already registered \\(dcgan\\)"):
        register_family(dataclasses.replace(GAN, name="vae", archs=("dcgan",)))


def test_a_family_brings_the_three_config_sections(monkeypatch):
    monkeypatch.setattr("kickgan.models.family.FAMILIES", dict(FAMILIES))
    vae = dataclasses.replace(GAN, name="vae", archs=("vae",), sections={"model": ModelConfig})
    with pytest.raises(ParameterError, match="model family vae: sections must be model, loss, optim \\(got model\\)"):
        register_family(vae)


def test_sampling_generator_loads_the_familys_key():
    cfg = ModelConfig(arch="dcgan", width=2, z_dim=8)
    torch.manual_seed(0)
    G, _ = build_models(cfg, (1, 16, 16))
    G.eval()
    loaded = load_sampling_generator(cfg, (1, 16, 16), {"G_ema": {"model": G.state_dict()}}).eval()
    z = torch.randn(2, 8)
    assert torch.equal(loaded(z), G(z))
    with pytest.raises(KickganError, match="weights do not fit the stored config"):
        load_sampling_generator(cfg, (1, 16, 16), {"G": {"model": G.state_dict()}})
