"""Exact resume through the real command line: 2N steps straight == N steps + resume + N steps,
including when the first process is killed (SIGKILL) mid-run. CPU, deterministic, one thread."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from kickgan.checkpoints import load_checkpoint

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"
TOTAL = 8
COMMON = ["--data", "synth:16", "--no-progress", "--set", "deterministic=true", "--set", "device=cpu"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def kickgan(*args, cwd):
    return subprocess.Popen([sys.executable, "-m", "kickgan", "train", *args], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=120):
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-2000:]
    return out, err


def assert_same_state(a: dict, b: dict):
    assert a["step"] == b["step"]
    for key in ("G", "D"):
        for name, tensor in a[key].items():
            assert torch.equal(tensor, b[key][name]), f"{key}.{name} differs"
    for name, tensor in a["G_ema"]["model"].items():
        assert torch.equal(tensor, b["G_ema"]["model"][name]), f"G_ema.{name} differs"
    exp_a = [s["exp_avg_sq"] for s in a["opt_d"]["state"].values()]
    exp_b = [s["exp_avg_sq"] for s in b["opt_d"]["state"].values()]
    assert all(torch.equal(x, y) for x, y in zip(exp_a, exp_b, strict=True))
    assert torch.equal(a["rng"]["generator"], b["rng"]["generator"])


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    root = tmp_path_factory.mktemp("straight")
    finish(kickgan("--config", str(TINY), "--out", "run", "--set", f"steps={TOTAL}", *COMMON, cwd=root))
    return load_checkpoint(root / "run" / "checkpoints" / "latest.pt")


@pytest.mark.slow
def test_resume_after_completed_half_is_exact(straight, tmp_path):
    finish(kickgan("--config", str(TINY), "--out", "run", "--set", f"steps={TOTAL // 2}", *COMMON, cwd=tmp_path))
    assert load_checkpoint(tmp_path / "run" / "checkpoints" / "latest.pt")["step"] == TOTAL // 2
    out, _ = finish(kickgan("--resume", "run", "--set", f"steps={TOTAL}", "--no-progress", cwd=tmp_path))
    assert "run folder: run" in out
    assert_same_state(straight, load_checkpoint(tmp_path / "run" / "checkpoints" / "latest.pt"))


@pytest.mark.slow
def test_resume_after_sigkill_is_exact(straight, tmp_path):
    proc = kickgan("--config", str(TINY), "--out", "run", "--set", "steps=100000", "--set", "ckpt_every=2",
                   *COMMON, cwd=tmp_path)
    latest = tmp_path / "run" / "checkpoints" / "latest.pt"
    deadline = time.monotonic() + 120
    while not latest.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    killed_at = load_checkpoint(latest)["step"]
    assert 0 < killed_at < TOTAL
    finish(kickgan("--resume", "run", "--set", f"steps={TOTAL}", "--no-progress", cwd=tmp_path))
    assert_same_state(straight, load_checkpoint(latest))
    steps = [json.loads(line)["step"] for line in (tmp_path / "run" / "stats.jsonl").read_text().splitlines()]
    assert steps == list(range(1, TOTAL + 1))  # the killed run's records past its checkpoint were dropped
