"""The GAN update itself: lazy R1 across several critic steps, DiffAugment's per-sample probability."""

from pathlib import Path

import numpy as np
import pytest
import torch

from kickgan.config import load_config
from kickgan.train.distributed import Dist
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
