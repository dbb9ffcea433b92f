"""Producer tools run on the sampler's device end to end (a fake second device, see fake_device.py)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from fake_device import FakeDevice
from kickgan.producer import controls
from kickgan.producer.encode import invert
from kickgan.sampler import KickSampler

MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"


@pytest.fixture
def on_device():
    """The test model's sampler with G and the representation on the fake device."""
    s, mode = KickSampler.from_checkpoint(MODEL), FakeDevice()
    with mode as device:
        mode.put(s.G), mode.put(s.rep)
        s.device = device
        yield s


def test_the_fake_device_catches_a_cpu_tensor_meeting_a_device_one(on_device):
    with pytest.raises(RuntimeError, match="same device"):
        on_device.G(on_device.latents([0]))
    with pytest.raises(TypeError, match="numpy"):
        on_device.G(on_device.latents([0]).to(on_device.device)).numpy()


def test_decode_and_controls_run_on_the_device(on_device):
    s = on_device
    z = s.latents([0, 1])
    assert s.decode(z).shape == (2, 1, s.length)
    assert controls.estimate(s, z).shape == (2, len(controls.CONTROLS))
    record = {"controls": {name: {"step": 0.1} for name in controls.CONTROLS}}
    steered = controls.steer(s, z[:1], {"pitch": 0.25}, record)
    assert steered.device == torch.device("cpu") and steered.shape == (1, s.z_dim)


def test_encode_runs_on_the_device(on_device):
    s = on_device
    target = s.decode(s.latents([5]))
    z, dist = invert(s, target, starts=2, refine=1, steps=2)
    assert z.device == torch.device("cpu") and z.shape == (s.z_dim,)
    assert np.isfinite(dist["final"]["total"])
