"""The GAN update itself: lazy R1 across several critic steps, DiffAugment's per-sample probability; the GAN solver."""

from pathlib import Path

import numpy as np
import pytest
import torch

from kickgan.config import load_config
from kickgan.train.distributed import Dist
from kickgan.train.solvers import make_solver
from kickgan.train.trainer import Trainer

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"
SHAPE = (1, 32, 64)


def _trainer(overrides: list[str]) -> Trainer:
    cfg = load_config(TINY, ["device=cpu", "batch_size=4", *overrides])
    return Trainer(cfg, SHAPE, Dist(rank=0, world=1, device=torch.device("cpu")))


def test_lazy_r1_with_several_critic_steps_averages_over_the_updates_that_ran_it():
    # D updates 0, 1 (step 1), 2, 3 (step 2), 4 (step 3): R1 runs on updates 0 and 4 only
    trainer = _trainer(["loss.kind=hinge", "loss.r1_gamma=1", "loss.r1_interval=4", "optim.n_critic=2"])
    reals = [torch.rand(4, *SHAPE) * 2 - 1 for _ in range(2)]
    logged = [trainer.train_step(reals) for _ in range(3)]
    assert ["loss/r1" in s for s in logged] == [True, False, True]
    assert all(np.isfinite(v) for s in logged for v in s.values())
    assert logged[0]["loss/r1"] >= 0


@pytest.mark.parametrize("prob", [0.0, 0.5, 1.0])
def test_augment_prob_is_drawn_per_sample(prob):
    trainer = _trainer(["loss.augment=offset", f"loss.augment_prob={prob}"])
    x = torch.zeros(4000, *SHAPE)
    changed = trainer.augment(x).flatten(1).abs().amax(1) > 0  # offset moves every bin of a sample it touches
    assert changed.float().mean().item() == pytest.approx(prob, abs=0.03)


def test_the_gan_familys_solver_is_the_trainer_with_the_solver_interface():
    cfg = load_config(TINY, ["device=cpu", "batch_size=4"])
    solver = make_solver(cfg, SHAPE, Dist(rank=0, world=1, device=torch.device("cpu")))
    assert isinstance(solver, Trainer) and solver.batches_per_step == cfg.optim.n_critic == 2
    assert solver.sampling_module is solver.ema.model and solver.critic is solver.D
    assert set(solver.modules()) == {"G", "D", "G_ema"} <= set(solver.state_dict())


def test_validation_without_a_critic_keeps_the_other_measures():
    from kickgan.spectral import make_representation
    from kickgan.train.validate import Validator

    cfg = load_config(TINY, ["device=cpu"])
    rep = make_representation(cfg.representation)
    clips = np.random.default_rng(0).uniform(-0.5, 0.5, (6, cfg.representation.length)).astype(np.float32)
    rep.fit(clips)
    specs = rep.encode(torch.from_numpy(clips)[:, None])
    validator = Validator(rep, specs[:3], specs[3:], cfg.representation.sr)
    with_critic = validator(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(1)), clips[:2])
    without = validator(None, clips[:2])
    assert {"val/d_gap", "val/desc_w1", "val/spectral"} <= set(with_critic)
    assert set(without) == set(with_critic) - {"val/d_real", "val/d_train", "val/d_gap"}
    assert without["val/spectral"] == with_critic["val/spectral"]


def test_lecam_anchors_follow_the_critics_mean_outputs_and_resume_with_the_checkpoint():
    trainer = _trainer(["loss.lecam_weight=0.5", "loss.lecam_decay=0.9", "optim.n_critic=1"])
    real = torch.rand(4, *SHAPE) * 2 - 1
    stats = trainer.train_step([real])
    assert stats["loss/lecam"] >= 0
    # from zero, one update: 0.1 x the batch means, which the step logged as d/real and d/fake
    assert trainer.lecam_anchors.tolist() == pytest.approx([0.1 * stats["d/real"], 0.1 * stats["d/fake"]], rel=1e-5)
    state = trainer.state_dict()
    fresh = _trainer(["loss.lecam_weight=0.5", "loss.lecam_decay=0.9", "optim.n_critic=1"])
    fresh.load_state_dict(state)
    assert torch.equal(fresh.lecam_anchors, trainer.lecam_anchors)
    assert "lecam_anchors" not in _trainer([]).state_dict()  # off: checkpoints as before
