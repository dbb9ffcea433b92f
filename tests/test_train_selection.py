"""Choosing ``best.pt`` by the KID of generated kicks against the val kits (``best_metric: kid``), and
replaying that score on a kept checkpoint, as scripts/checkpoint-curves.py does."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from kickgan.checkpoints import load_checkpoint
from kickgan.config import load_config
from kickgan.sampler import KickSampler
from kickgan.spectral import make_representation
from kickgan.train import train
from kickgan.train.validate import Validator, checkpoint_validator

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"


def _synth_split():
    """The tiny config, its representation fitted to 24 synthesised kicks, the kicks ``[24,T]`` and their specs."""
    from kickgan.data.synth import synthesize

    cfg = load_config(TINY)
    rep = make_representation(cfg.representation)
    clips, _ = synthesize(24, seed=0, sr=cfg.representation.sr, length=cfg.representation.length)
    rep.fit(clips)
    return cfg, rep, clips, rep.encode(torch.from_numpy(clips)[:, None])


def test_val_kid_is_near_zero_for_the_val_kicks_and_high_for_noise():
    from kickgan.metrics.embedding import embed
    from kickgan.metrics.kid import kernel_distance

    cfg, rep, _, specs = _synth_split()
    validator = Validator(rep, specs[:12], specs[12:], cfg.representation.sr, kid=True)
    others = validator(None, np.stack([y for y in validator.val_clips[::-1]]))["val/kid"]
    noise = np.random.default_rng(0).uniform(-0.5, 0.5, (12, cfg.representation.length)).astype(np.float32)
    scored = validator(None, noise)["val/kid"]
    assert abs(others) < 0.05 * scored  # the same kicks in another order: about 0
    # the evaluation's KID, on the val kicks as the representation reproduces them
    expected = kernel_distance(embed(noise, cfg.representation.sr), embed(validator.val_clips, cfg.representation.sr))[0]
    assert scored == pytest.approx(expected, rel=1e-6)
    assert "val/kid" not in Validator(rep, specs[:12], specs[12:], cfg.representation.sr)(None, noise)


def test_kid_selection_keeps_the_lowest_val_kid_and_a_kept_checkpoint_replays_it(tmp_path):
    cfg = load_config(TINY, ["steps=4", "ckpt_every=2", "preview_every=1", "keep_every=2", "best_metric=kid",
                             "val_n=6", "device=cpu"])
    run = train(cfg, data="synth:24", out=tmp_path / "run", progress=False)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    logged = {r["step"]: r["val/kid"] for r in records if "val/kid" in r}
    assert sorted(logged) == [1, 2, 3, 4] and len(set(logged.values())) > 1
    best = load_checkpoint(run / "checkpoints" / "best.pt")["best"]
    lowest = min(logged, key=logged.get)
    assert best == {"metric": "kid", "value": logged[lowest], "step": lowest, "eligible": True}

    sampler = KickSampler.from_checkpoint(run / "checkpoints" / "step_0000004.pt")
    assert sampler.cfg.data == "synth:24"  # the data the run trained on, not the config file's
    replayed = checkpoint_validator(sampler, kid=True)(None, sampler.generate(list(range(6))))["val/kid"]
    assert replayed == pytest.approx(logged[4], rel=1e-3)


def test_kid_and_descriptors_selection_keeps_the_lowest_product(tmp_path):
    cfg = load_config(TINY, ["steps=3", "ckpt_every=3", "preview_every=1", "best_metric=kid+descriptors", "val_n=6",
                             "device=cpu"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    scored = {r["step"]: r for r in records if "val/kid_desc" in r}
    for r in scored.values():
        assert r["val/kid_desc"] == pytest.approx(max(r["val/kid"], 0.0) * r["val/desc_w1"])
    lowest = min(scored, key=lambda step: scored[step]["val/kid_desc"])
    best = load_checkpoint(run / "checkpoints" / "best.pt")["best"]
    assert best == {"metric": "kid+descriptors", "value": scored[lowest]["val/kid_desc"], "step": lowest,
                    "eligible": True}


def test_val_mem_is_zero_for_the_train_kicks_themselves_and_high_for_noise():
    cfg, rep, clips, specs = _synth_split()
    validator = Validator(rep, specs[:12], specs[12:], cfg.representation.sr, kid=True, train_clips=clips[12:])
    assert validator(None, clips[12:])["val/mem"] == pytest.approx(0.0, abs=1e-3)  # each its own nearest
    noise = np.random.default_rng(0).uniform(-0.5, 0.5, (12, cfg.representation.length)).astype(np.float32)
    assert validator(None, noise)["val/mem"] > 1.5
    assert "val/mem" not in Validator(rep, specs[:12], specs[12:], cfg.representation.sr, kid=True)(None, noise)


def _guarded_run(tmp_path, name, guard):
    cfg = load_config(TINY, ["steps=4", "ckpt_every=4", "preview_every=1", "best_metric=kid", "val_n=6", "device=cpu",
                             f"best_min_memorisation={guard}"])
    run = train(cfg, data="synth:24", out=tmp_path / name, progress=False)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    scored = {r["step"]: (r["val/kid"], r["val/mem"]) for r in records if "val/kid" in r}
    return scored, load_checkpoint(run / "checkpoints" / "best.pt")["best"]


def test_the_memorisation_guard_keeps_the_lowest_score_among_previews_that_pass_it(tmp_path):
    scored, free = _guarded_run(tmp_path, "free", 0.0)
    chosen = scored[free["step"]][1]
    guard = (chosen + min(mem for _, mem in scored.values() if mem > chosen)) / 2  # the free choice fails it
    passing = [step for step, (_, mem) in scored.items() if mem >= guard]
    again, best = _guarded_run(tmp_path, "guarded", guard)
    assert again == scored  # the guard changes the choice, never the training
    step = min(passing, key=lambda s: scored[s][0])
    assert best == {"metric": "kid", "value": scored[step][0], "step": step, "eligible": True}


def test_with_no_preview_passing_the_guard_best_is_the_lowest_score_marked_ineligible(tmp_path):
    scored, best = _guarded_run(tmp_path, "strict", 100.0)
    step = min(scored, key=lambda s: scored[s][0])
    assert best == {"metric": "kid", "value": scored[step][0], "step": step, "eligible": False}
