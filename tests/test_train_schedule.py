"""Learning-rate decay: known values of the schedule, its progress measure, and a run that follows it."""

import math
from pathlib import Path

import pytest
import torch

from kickgan.checkpoints import load_checkpoint
from kickgan.config import load_config
from kickgan.errors import KickganError
from kickgan.train import train
from kickgan.train.schedule import apply_lr_scale, lr_scale, run_progress

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
TINY = ["model.width=2", "batch_size=4", "preview_every=2", "preview_n=2", "optim.n_critic=1", "data=synth:8",
        "device=cpu", "representation.sr=8000", "representation.length=2048", "representation.n_fft=128",
        "representation.hop_length=32", "representation.n_freq=32"]


@pytest.mark.parametrize("kind, progress, expected", [
    ("none", 0.9, 1.0), ("linear", 0.2, 1.0), ("linear", 0.5, 1.0), ("linear", 0.75, 0.55),
    ("linear", 1.0, 0.1), ("linear", 2.0, 0.1), ("cosine", 0.75, 0.55),
    ("cosine", 0.625, 1 - 0.9 * (1 - math.cos(math.pi / 4)) / 2),
])
def test_the_schedule_holds_then_falls_to_its_final_multiple(kind, progress, expected):
    assert lr_scale(kind, progress, start=0.5, final=0.1) == pytest.approx(expected)


def test_progress_is_time_over_the_budget_or_steps_over_steps():
    timed = load_config(CONFIGS / "tiny.yaml", ["time_budget_minutes=2", "steps=1000"])
    assert run_progress(timed, train_seconds=30.0, step=900) == 0.25
    stepped = load_config(CONFIGS / "tiny.yaml", ["steps=1000"])
    assert run_progress(stepped, train_seconds=30.0, step=900) == 0.9


def test_scaling_is_relative_to_the_initial_rate_and_survives_a_state_dict():
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=0.01)
    apply_lr_scale([opt], 0.5)
    apply_lr_scale([opt], 0.5)  # not compounded
    assert opt.param_groups[0]["lr"] == pytest.approx(0.005)
    again = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=0.01)
    again.load_state_dict(opt.state_dict())
    apply_lr_scale([again], 0.25)
    assert again.param_groups[0]["lr"] == pytest.approx(0.0025)


def test_a_run_with_linear_decay_ends_at_the_final_rate(tmp_path):
    cfg = load_config(CONFIGS / "tiny.yaml", [*TINY, "steps=4", "lr_decay=linear", "lr_decay_start=0.5",
                                              "lr_decay_final=0.2", "optim.lr_g=0.001", "optim.lr_d=0.002"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    state = load_checkpoint(run / "checkpoints" / "latest.pt")
    # the last step (4) ran at progress 3/4: halfway down from 1 to 0.2
    assert state["opt_g"]["param_groups"][0]["lr"] == pytest.approx(0.001 * 0.6)
    assert state["opt_d"]["param_groups"][0]["lr"] == pytest.approx(0.002 * 0.6)


@pytest.mark.parametrize("override, message", [
    ("lr_decay=step", "lr_decay: must be one of none, linear, cosine"),
    ("lr_decay_start=1", r"lr_decay_start: must be in \[0, 1\)"),
    ("lr_decay_final=1.5", r"lr_decay_final: must be in \[0, 1\]"),
])
def test_bad_schedule_options_are_named(override, message):
    with pytest.raises(KickganError, match=message):
        load_config(CONFIGS / "tiny.yaml", [override])
