"""``restarts: K``: a run trained as K segments from fresh weights, each the plain run with its own seed,
steps and checkpoints running on, ``best.pt`` the best of all, and resume inside a later segment exact."""

import json
import shutil
from pathlib import Path

import pytest
import torch

from kickgan.checkpoints import load_checkpoint
from kickgan.config import load_config
from kickgan.errors import KickganError
from kickgan.train import train
from kickgan.train.restarts import SEED_STRIDE, Segment, segment_config

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"
COMMON = ["ckpt_every=1", "keep_every=1", "preview_every=1", "deterministic=true", "device=cpu", "threads=1"]


def same_weights(a: dict, b: dict) -> bool:
    return all(torch.equal(a[key][name], b[key][name]) for key in ("G", "D") for name in a[key])


def kept(run: Path, step: int) -> dict:
    return load_checkpoint(run / "checkpoints" / f"step_{step:07d}.pt")


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    cfg = load_config(TINY, ["steps=6", "restarts=2", "seed=3", *COMMON])
    return train(cfg, data="synth:24", out=tmp_path_factory.mktemp("r") / "run", progress=False)


def test_each_segment_is_the_plain_run_with_its_seed(restarted, tmp_path):
    first = train(load_config(TINY, ["steps=3", f"seed={3 * SEED_STRIDE}", *COMMON]), data="synth:24", out=tmp_path / "a", progress=False)
    second = train(load_config(TINY, ["steps=3", f"seed={3 * SEED_STRIDE + 1}", *COMMON]), data="synth:24",
                   out=tmp_path / "b", progress=False)
    for step in (1, 3):
        assert same_weights(kept(restarted, step), kept(first, step))
        assert same_weights(kept(restarted, 3 + step), kept(second, step))  # fresh weights, not a continuation
    assert not same_weights(kept(restarted, 4), kept(restarted, 3))
    steps = [json.loads(line)["step"] for line in (restarted / "stats.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]  # one run: steps and logs run on
    assert kept(restarted, 6)["segment"] == {"index": 1, "step": 3, "seconds": pytest.approx(kept(restarted, 3)["train_seconds"])}


def test_best_is_the_lowest_validation_score_of_all_segments(restarted):
    records = [json.loads(line) for line in (restarted / "stats.jsonl").read_text().splitlines()]
    scores = {r["step"]: r["val/desc_w1"] for r in records}
    lowest = min(scores, key=scores.get)
    best = load_checkpoint(restarted / "checkpoints" / "best.pt")
    assert best["best"] == {"metric": "descriptors", "value": scores[lowest], "step": lowest, "eligible": True}
    assert same_weights(best, kept(restarted, lowest))


def test_resume_inside_a_later_segment_is_exact(restarted, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(restarted, copy)
    shutil.copy(copy / "checkpoints" / "step_0000004.pt", copy / "checkpoints" / "latest.pt")
    train(load_config(TINY, ["steps=6", "restarts=2", "seed=3", *COMMON]), data="synth:24", resume=copy,
          progress=False)
    resumed = load_checkpoint(copy / "checkpoints" / "latest.pt")
    assert resumed["step"] == 6 and same_weights(resumed, kept(restarted, 6))
    assert torch.equal(resumed["rng"]["generator"], kept(restarted, 6)["rng"]["generator"])


def test_segments_share_the_time_budget_and_the_last_runs_to_its_end():
    cfg = load_config(TINY, ["restarts=4", "time_budget_minutes=60", "steps=100", "seed=2"])
    share = segment_config(cfg, 3)
    assert (share.seed, share.time_budget_minutes, share.steps, share.restarts) == (2003, 15.0, 25, 1)
    assert segment_config(load_config(TINY), 0) == load_config(TINY)
    first = segment_config(cfg, 0)
    assert not Segment(0, 0, 0.0).over(4, first, 899.0, 50) and Segment(0, 0, 0.0).over(4, first, 900.0, 50)
    assert Segment(1, 10, 900.0).over(4, first, 1800.0, 20) and not Segment(3, 10, 2700.0).over(4, share, 1e9, 99)
    no_budget = load_config(TINY, ["restarts=2", "steps=7"])
    half = segment_config(no_budget, 0)
    assert not Segment().over(2, half, 1e9, 3) and Segment().over(2, half, 0.0, 4)


def test_restarts_below_one_is_refused():
    with pytest.raises(KickganError, match="restarts: must be at least 1"):
        load_config(TINY, ["restarts=0"])
