"""The GAN update itself: lazy R1 across several critic steps, DiffAugment's per-sample probability; the GAN solver."""

from pathlib import Path

import numpy as np
import pytest
import torch

from kickgan.config import load_config
from kickgan.errors import KickganError
from kickgan.train.distributed import Dist
from kickgan.train.solvers import make_solver
from kickgan.train.trainer import Trainer

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"
KICK44K = TINY.with_name("kick44k.yaml")
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


def test_full_band_validation_adds_the_upper_bands_to_the_descriptor_score():
    """Previews equal to the decoded val kicks score 0; the same previews low-passed below 4 kHz
    lose only the band terms' worth on ``desc_w1`` but far more on ``desc_bands_w1``."""
    import scipy.signal

    from kickgan.data.synth import synthesize
    from kickgan.spectral import make_representation
    from kickgan.train.validate import Validator

    rep_cfg = load_config(KICK44K, ["representation.length=8192", "representation.n_fft=256",
                                    "representation.hop_length=128", "representation.n_freq=32"]).representation
    rep = make_representation(rep_cfg)
    clips, _ = synthesize(12, seed=0, sr=44100, length=8192)
    rep.fit(clips)
    specs = rep.encode(torch.from_numpy(clips)[:, None])
    validator = Validator(rep, specs[:8], specs[8:], 44100)
    same = validator(None, validator.val_clips)
    assert same["val/desc_w1"] == same["val/desc_bands_w1"] == 0.0
    dull = scipy.signal.sosfiltfilt(scipy.signal.butter(8, 3000, fs=44100, output="sos"), validator.val_clips).astype(np.float32)
    scored = validator(None, dull)
    band_terms = 14 * scored["val/desc_bands_w1"] - 12 * scored["val/desc_w1"]
    assert band_terms > 2 * 3.0  # each upper band several standard deviations below the val kicks'
    assert scored["val/desc_bands_w1"] > scored["val/desc_w1"]
    at_16k = Validator(rep, specs[:8], specs[8:], 16000)
    assert "val/desc_bands_w1" not in at_16k(None, dull)  # no 8-16 kHz band at 16 kHz


def test_band_aware_selection_needs_a_full_band_rate():
    with pytest.raises(KickganError, match="tiny.yaml: best_metric: descriptors\\+bands needs the 8-16 kHz band.*is 8000\\)$"):
        load_config(TINY, ["best_metric=descriptors+bands"])
    assert load_config(KICK44K).best_metric == "descriptors+bands"


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
