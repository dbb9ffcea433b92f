"""Latent maths of the producer tools: slerp, the controls' fit and steering (no model needed)."""

import numpy as np
import pytest
import torch

from kickgan.errors import KickganError, ParameterError
from kickgan.producer import controls
from kickgan.producer.controls import CONTROLS, fit_controls
from kickgan.producer.interpolate import slerp


def test_slerp_ends_are_exact_and_the_path_keeps_the_norm():
    gen = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(64, generator=gen), torch.randn(64, generator=gen)
    assert torch.equal(slerp(z0, z1, 0.0), z0) and torch.equal(slerp(z0, z1, 1.0), z1)
    mid = slerp(z0, z1, 0.5)
    # equal norms in, the midpoint lies on the great circle: same norm, equal angles to both ends
    z1 = z1 * z0.norm() / z1.norm()
    mid = slerp(z0, z1, 0.5)
    assert float(mid.norm()) == pytest.approx(float(z0.norm()), rel=1e-5)
    assert float(torch.dot(mid, z0)) == pytest.approx(float(torch.dot(mid, z1)), rel=1e-5)
    assert torch.allclose(slerp(z0, z0, 0.3), z0)  # parallel: no division by sin(0)
    with pytest.raises(ParameterError):
        slerp(z0, z1, 1.5)


def test_fit_measures_how_each_estimate_tracks_its_descriptor():
    rng = np.random.default_rng(1)
    scale = np.array([0.1, 0.5, 4.0])
    e = rng.standard_normal((400, 3)) * scale + np.array([6.0, 8.0, -40.0])
    y = 2.0 * e + 0.01 * rng.standard_normal((400, 3))
    e[0, 2] = 1e6  # an outlier moves neither the step nor the slope
    y[:10, 1] = np.nan  # e.g. a decay that never fell 3 dB
    y[10, 1] = np.inf  # or never fell at all
    fitted = fit_controls(e, y)
    assert list(fitted) == list(CONTROLS)
    for k, (name, c) in enumerate(fitted.items()):
        assert c["descriptor"] == CONTROLS[name]
        assert c["step"] == pytest.approx(scale[k], rel=0.1) and c["median"] == pytest.approx(np.median(e[:, k]), rel=1e-6)
        assert c["rho"] > 0.99
        assert c["per_step"] == pytest.approx(2.0 * c["step"], rel=0.01)  # the descriptor moves 2 per estimate unit
    y[:, 2] = np.nan  # a descriptor no kick has (noise): steering still works, its tracking is unknown
    assert fit_controls(e, y)["click"]["rho"] is None
    e[:, 0] = 6.0  # a property that does not vary cannot be steered
    record = {"controls": fit_controls(e, y)}
    assert record["controls"]["pitch"]["step"] is None
    with pytest.raises(KickganError, match="this model's pitch does not vary over its kicks; cannot steer it"):
        controls.steer(LinearSampler(), torch.zeros(1, 16), {"pitch": 1.0}, record)


class LinearSampler:
    """Stands in for a sampler whose estimates are ``W z`` (exactly linear): steering is then exact."""

    device = torch.device("cpu")

    def __init__(self, d=16):
        self.W = torch.randn(3, d, generator=torch.Generator().manual_seed(0))


def test_steering_moves_one_estimate_by_its_steps_holds_the_others_and_the_norm(monkeypatch):
    sampler = LinearSampler()
    monkeypatch.setattr(controls, "estimate", lambda s, z: z @ s.W.T)
    record = {"controls": {name: {"step": std, "method": "latent"} for name, std in zip(CONTROLS, (0.5, 2.0, 3.0))}}
    z = torch.randn(2, 16, generator=torch.Generator().manual_seed(1))
    moved = controls.steer(sampler, z, {"decay": -1.5, "click": 0.5}, record)
    change = (moved - z) @ sampler.W.T  # [2, 3]
    expected = torch.tensor([0.0, -1.5 * 2.0, 0.5 * 3.0]).expand(2, 3)
    assert torch.allclose(change, expected, atol=1e-4)
    assert torch.allclose(moved.norm(dim=1), z.norm(dim=1), rtol=0.02)  # tangent sub-steps: |z| drifts 2nd order
    assert torch.equal(controls.steer(sampler, z, {"pitch": 0.0}, record), z)
    with pytest.raises(KickganError, match="unknown loudness"):
        controls.steer(sampler, z, {"loudness": 1.0}, record)
