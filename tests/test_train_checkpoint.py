"""Checkpoints: full state round trip, RNG states, refusal of pickled payloads, guards, batch order."""

import random

import numpy as np
import pytest
import torch

from kickgan.checkpoints import FORMAT, load_checkpoint, resolve_checkpoint, save_checkpoint
from kickgan.errors import KickganError
from kickgan.train.data import batch_indices
from kickgan.train.guards import NonFiniteError, check_finite_weights, health_warnings, preview_health
from kickgan.train.rng import rng_state, set_rng_state


class Payload:
    """An object whose unpickling would create a file: it must never be unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_checkpoint_round_trip_is_exact(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.9))
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    state = {"step": 7, "G": model.state_dict(), "D": {}, "G_ema": {"decay": 0.9, "model": model.state_dict()},
             "opt_g": opt.state_dict(), "opt_d": {}, "rng": rng_state(torch.Generator().manual_seed(3)),
             "representation": {"mean": torch.arange(4.0)}, "config": {"name": "x", "betas": (0.5, 0.9)}}
    save_checkpoint(tmp_path / "c.pt", state)
    back = load_checkpoint(tmp_path / "c.pt")
    assert back["format"] == FORMAT and back["step"] == 7 and back["config"] == {"name": "x", "betas": (0.5, 0.9)}
    assert set(back["versions"]) == {"kickgan", "torch", "python"}
    for key, value in model.state_dict().items():
        assert torch.equal(back["G"][key], value)
    opt2 = torch.optim.Adam(torch.nn.Linear(3, 2).parameters())
    opt2.load_state_dict(back["opt_g"])
    assert torch.equal(opt2.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]  # no temporary file left behind


def test_rng_state_restores_every_generator():
    gen = torch.Generator().manual_seed(5)
    state = rng_state(gen)
    first = (random.random(), np.random.rand(), torch.rand(2), torch.rand(2, generator=gen))
    set_rng_state(state, gen)
    second = (random.random(), np.random.rand(), torch.rand(2), torch.rand(2, generator=gen))
    assert first[:2] == second[:2]
    assert torch.equal(first[2], second[2]) and torch.equal(first[3], second[3])


def test_pickled_payload_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.pt"
    torch.save({"format": FORMAT, "step": 1, "G": Payload(marker)}, path)
    with pytest.raises(KickganError, match=r"evil.pt: refusing checkpoint with a pickled payload \("):
        load_checkpoint(path)
    assert not marker.exists()


def test_other_bad_checkpoints(tmp_path):
    with pytest.raises(KickganError, match="nope.pt: no such checkpoint"):
        load_checkpoint(tmp_path / "nope.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(KickganError, match="junk.pt: cannot read checkpoint"):
        load_checkpoint(tmp_path / "junk.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "plain.pt")
    with pytest.raises(KickganError, match="plain.pt: not a kickgan checkpoint"):
        load_checkpoint(tmp_path / "plain.pt")
    torch.save({"format": FORMAT, "step": 1}, tmp_path / "partial.pt")
    with pytest.raises(KickganError, match="partial.pt: checkpoint lacks rng, representation, config"):
        load_checkpoint(tmp_path / "partial.pt")
    common = {"format": FORMAT, "step": 1, "rng": {}, "representation": {}, "config": {"model": {"arch": "wavegan"}}}
    torch.save({**common, "G_ema": {}, "opt_g": {}, "opt_d": {}}, tmp_path / "gan.pt")  # the GAN family's keys
    with pytest.raises(KickganError, match="gan.pt: checkpoint lacks G, D$"):
        load_checkpoint(tmp_path / "gan.pt")
    torch.save({**common, "config": {"model": {"arch": "vae"}}}, tmp_path / "vae.pt")
    with pytest.raises(KickganError, match="vae.pt: model.arch: no model family owns 'vae'"):
        load_checkpoint(tmp_path / "vae.pt")


def test_resolve_prefers_best_then_latest(tmp_path):
    ckpts = tmp_path / "run" / "checkpoints"
    ckpts.mkdir(parents=True)
    with pytest.raises(KickganError, match="no checkpoints/best.pt or checkpoints/latest.pt"):
        resolve_checkpoint(tmp_path / "run")
    (ckpts / "latest.pt").write_bytes(b"")
    assert resolve_checkpoint(tmp_path / "run") == ckpts / "latest.pt"
    (ckpts / "best.pt").write_bytes(b"")
    assert resolve_checkpoint(tmp_path / "run") == ckpts / "best.pt"
    assert resolve_checkpoint(ckpts / "latest.pt") == ckpts / "latest.pt"


def test_non_finite_weight_is_named():
    model = torch.nn.Linear(2, 2)
    check_finite_weights(3, {"G": model})
    with torch.no_grad():
        model.bias[1] = float("nan")
    with pytest.raises(NonFiniteError, match=r"step 3: non-finite weight G.bias"):
        check_finite_weights(3, {"G": model})


def test_preview_health_flags():
    rng = np.random.default_rng(0)
    t = np.arange(2048) / 8000
    kicks = np.stack([np.exp(-t / 0.1) * np.sin(2 * np.pi * f * t) for f in (40, 55, 70, 90)])
    assert health_warnings(preview_health(kicks)) == []
    silent = preview_health(np.zeros((4, 2048)))
    assert silent["preview/silent"] == 1.0 and "silent" in health_warnings(silent)[0]
    dc = preview_health(np.full((4, 2048), 0.5))
    assert dc["preview/constant"] == 1.0 and dc["preview/silent"] == 0.0
    same = preview_health(np.repeat(kicks[:1], 4, axis=0) + 1e-4 * rng.standard_normal((4, 2048)))
    assert same["preview/collapsed"] == 1.0 and same["preview/diversity"] < 0.05
    loud = preview_health(kicks * 1e5)
    assert loud["preview/loud"] == 1.0 and health_warnings(loud) == [
        "previews peak at 9.7e+04, over 1000 (training kicks peak at 1): saturated spectrogram bins"]
    assert preview_health(kicks * 30)["preview/loud"] == 0.0  # a GAN's usual overshoot is not saturation
    noise = preview_health(rng.standard_normal((4, 2048)))
    assert abs(noise["preview/diversity"] - np.sqrt(2)) < 0.05  # independent clips: sqrt(2) apart


def test_batch_order_is_a_pure_sharded_function_of_the_step():
    n, batch = 10, 3
    assert torch.equal(batch_indices(n, batch, 4, seed=1), batch_indices(n, batch, 4, seed=1))
    first_epoch = torch.cat([batch_indices(n, 5, i, seed=1) for i in range(2)])
    assert sorted(first_epoch.tolist()) == list(range(n))  # one epoch visits every row once
    shards = [torch.cat([batch_indices(n, 5, 0, seed=2, rank=r, world=2)]) for r in range(2)]
    assert sorted(torch.cat(shards).tolist()) == list(range(n))  # ranks split an epoch without overlap
