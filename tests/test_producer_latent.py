"""Latent maths of the producer tools: slerp and the fitted control directions (no model needed)."""

import numpy as np
import pytest
import torch

from kickgan.errors import KickganError, ParameterError
from kickgan.producer.controls import CONTROLS, fit_directions, orthogonalise
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


def test_orthogonalised_directions_leave_the_other_weights_unmoved():
    w = np.random.default_rng(0).standard_normal((3, 20))
    d = orthogonalise(w)
    assert np.allclose(np.linalg.norm(d, axis=1), 1.0)
    off_diagonal = (w @ d.T)[~np.eye(3, dtype=bool)]
    assert np.abs(off_diagonal).max() < 1e-10
    assert (np.diag(w @ d.T) > 0).all()  # each still raises its own descriptor
    w[2] = w[0] - 2 * w[1]
    with pytest.raises(KickganError, match="pitch direction is a mix of the others"):
        orthogonalise(w)


def test_fit_recovers_known_linear_descriptors_and_skips_unmeasurable_kicks():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((400, 12))
    true = np.zeros((3, 12))
    true[0, 0], true[1, 1], true[2, :3] = 2.0, -1.0, (0.5, 0.5, 1.0)  # click correlates with both others
    y = z @ true.T + 0.05 * rng.standard_normal((400, 3)) + np.array([6.0, 7.0, -20.0])
    y[:10, 1] = np.nan  # e.g. a decay that ran past the clip
    fitted = fit_directions(z, y)
    assert list(fitted) == list(CONTROLS)
    for k, name in enumerate(CONTROLS):
        c = fitted[name]
        assert c["r2"] > 0.99
        d = np.asarray(c["direction"])
        assert (true @ d)[k] > 0 and np.abs(np.delete(true @ d, k)).max() < 0.02  # its own, not the others
        assert c["step"] == pytest.approx(1.0, abs=0.1)  # N(0, 1) latents: one step is about one unit
        assert c["per_step"] == pytest.approx((true @ d)[k] * c["step"], rel=0.05)
