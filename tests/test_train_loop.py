"""The training loop end to end: every config for two steps, the NaN guard, Ctrl+C, DDP on gloo, dry-run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import kickgan.losses
from kickgan.checkpoints import load_checkpoint
from kickgan.cli.train import dry_run_report
from kickgan.config import load_config
from kickgan.errors import KickganError
from kickgan.train import train
from kickgan.train.guards import NonFiniteError

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# every config shrunk to a 32x64 spectrogram (or 8192 samples for WaveGAN), width 2, batch 4, two steps
SHRINK = ["model.width=2", "batch_size=4", "steps=2", "ckpt_every=2", "preview_every=2", "preview_n=2",
          "optim.n_critic=1", "data=synth:8", "device=cpu"]
TINY_REP = ["representation.sr=8000", "representation.length=2048", "representation.n_fft=128",
            "representation.hop_length=32", "representation.n_freq=32"]
SHRUNK = {
    "dcgan_bce": TINY_REP, "dcgan_wgangp": TINY_REP, "dcgan_hinge": TINY_REP, "dcgan_wgangp_durall": TINY_REP,
    "specgan": TINY_REP, "tiny": TINY_REP, "wavegan": ["representation.sr=8000", "representation.length=8192"],
}


@pytest.mark.parametrize("name", sorted(SHRUNK))
def test_every_config_trains_two_steps(name, tmp_path):
    cfg = load_config(CONFIGS / f"{name}.yaml", SHRINK + SHRUNK[name])
    run = train(cfg, out=tmp_path / "run", progress=False)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2]
    for key in ("loss/d", "loss/g", "d/real", "d/fake", "grad_norm/d", "grad_norm/g", "lr", "time/step"):
        assert np.isfinite(records[-1][key]), key
    assert ("loss/gp" in records[-1]) == (cfg.loss.kind == "wgan-gp")
    assert ("loss/durall" in records[-1]) == (cfg.loss.durall_weight > 0)
    assert "preview/diversity" in records[-1] and "val/d_gap" in records[-1]
    y, sr = sf.read(run / "previews" / "step_0000002" / "seed0001.wav")
    assert (sr, len(y)) == (cfg.representation.sr, cfg.representation.length)
    assert (run / "previews" / "step_0000002.png").stat().st_size > 0
    options = json.loads((run / "training_options.json").read_text())
    assert options["config"] == json.loads(json.dumps(cfg.to_dict())) and options["world_size"] == 1
    assert load_checkpoint(run / "checkpoints" / "latest.pt")["step"] == 2


@pytest.mark.parametrize("gain", [1.0, 30.0, 1e5])
def test_previews_that_decode_absurdly_loud_never_make_the_best_checkpoint(gain, tmp_path, monkeypatch):
    """A flow run's early checkpoint saturated a few spectrogram bins: its kicks decoded 1e4-1e10 loud,
    the peak-normalised descriptors scored them well, and it was kept as best.pt."""
    from kickgan.train import loop

    render = loop.render_previews
    monkeypatch.setattr(loop, "render_previews", lambda *args: render(*args) * gain)
    cfg = load_config(CONFIGS / "tiny.yaml", ["steps=2", "ckpt_every=2", "preview_every=1", "device=cpu",
                                               "best_metric=descriptors"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    assert (run / "checkpoints" / "best.pt").is_file() == (gain < 1e5)  # 30x: an overshoot, not saturation
    assert ("saturated spectrogram bins" in (run / "log.txt").read_text()) == (gain == 1e5)


def test_nan_guard_stops_and_keeps_last_good_checkpoint(tmp_path, monkeypatch):
    calls = {"n": 0}
    real_g_loss = kickgan.losses.g_loss

    def poisoned(kind, logits):  # the 5th G step sees a NaN loss
        calls["n"] += 1
        loss = real_g_loss(kind, logits)
        return loss * float("nan") if calls["n"] == 5 else loss

    monkeypatch.setattr(kickgan.losses, "g_loss", poisoned)
    cfg = load_config(CONFIGS / "tiny.yaml", ["steps=10", "ckpt_every=3", "preview_every=100", "device=cpu"])
    with pytest.raises(NonFiniteError) as info:
        train(cfg, out=tmp_path / "run", progress=False)
    message = str(info.value)
    assert message.startswith("step 5: non-finite loss/g (nan); training stopped, last good checkpoint ")
    assert message.endswith("latest.pt (step 3)")
    state = load_checkpoint(tmp_path / "run" / "checkpoints" / "latest.pt")
    assert state["step"] == 3
    assert all(torch.isfinite(t).all() for t in state["G"].values() if t.is_floating_point())
    assert "step 5: non-finite loss/g" in (tmp_path / "run" / "log.txt").read_text()


def test_resume_refuses_a_config_whose_models_do_not_fit(tmp_path):
    cfg = load_config(CONFIGS / "tiny.yaml", ["steps=2", "ckpt_every=2", "preview_every=100", "device=cpu"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    wider = load_config(CONFIGS / "tiny.yaml", ["steps=4", "model.width=8", "device=cpu"])
    with pytest.raises(KickganError, match=r"checkpoint does not fit this config's models \(Error\(s\) in loading"):
        train(wider, resume=run, progress=False)


@pytest.mark.slow
@pytest.mark.parametrize("sig, code, said", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_or_sigterm_writes_checkpoint_and_exits_cleanly(tmp_path, sig, code, said):
    proc = subprocess.Popen(
        [sys.executable, "-m", "kickgan", "train", "--config", str(CONFIGS / "tiny.yaml"), "--out", "run",
         "--set", "steps=100000", "--set", "ckpt_every=100000", "--set", "preview_every=100000", "--no-progress"],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    stats = tmp_path / "run" / "stats.jsonl"
    deadline = time.monotonic() + 120
    while (not stats.exists() or len(stats.read_text().splitlines()) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err[-2000:]
    assert "Traceback" not in err and f"kickgan train: {said}" in err
    last = json.loads(stats.read_text().splitlines()[-1])["step"]
    assert load_checkpoint(tmp_path / "run" / "checkpoints" / "latest.pt")["step"] == last >= 2
    assert f"interrupted at step {last}; checkpoint saved" in (tmp_path / "run" / "log.txt").read_text()


@pytest.mark.slow
def test_ddp_two_processes_on_gloo_only_rank0_writes(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "kickgan",
         "train", "--config", str(CONFIGS / "tiny.yaml"), "--set", "steps=3", "--set", "device=cpu", "--no-progress"],
        cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = sorted((tmp_path / "runs").iterdir())
    assert [r.name for r in runs] == ["00000-tiny"]  # one run folder, made by rank 0 alone
    run = runs[0]
    assert [json.loads(line)["step"] for line in (run / "stats.jsonl").read_text().splitlines()] == [1, 2, 3]
    assert json.loads((run / "training_options.json").read_text())["world_size"] == 2
    assert load_checkpoint(run / "checkpoints" / "latest.pt")["step"] == 3
    assert proc.stdout.count("run folder:") == 1


def test_dry_run_prints_config_and_published_sizes():
    proc = subprocess.run([sys.executable, "-m", "kickgan", "train", "--config", str(CONFIGS / "wavegan.yaml"),
                           "--dry-run"], env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"arch": "wavegan"' in proc.stdout and "phase_shuffle" in proc.stdout
    assert "parameters: G 19,065,345  D 17,427,969" in proc.stdout  # Donahue et al.: about 19.1 M and 17.4 M


def test_specgan_dry_run_has_the_published_sizes():
    report = dry_run_report(load_config(CONFIGS / "specgan.yaml"))
    assert "G: input [100]" in report and "D: input [1, 128, 128]" in report
    assert report.endswith("parameters: G 19,065,345  D 17,427,969")  # 5x5 kernels: the same counts as WaveGAN


def test_cli_errors_are_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kickgan", "train", "--config", str(CONFIGS / "tiny.yaml"),
                           "--set", "loss.kind=wgan", "--dry-run"], env=ENV, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"kickgan train: error: {CONFIGS / 'tiny.yaml'}: loss.kind: must be one of bce, wgan-gp, hinge (got 'wgan')"
    ]


def test_init_from_starts_a_new_run_from_a_checkpoints_weights_with_fresh_optimisers(tmp_path):
    """Fine-tuning: the new run's networks start as the source's, its step, optimisers and best
    score start afresh, and a checkpoint of another shape or a missing file is a one-line error."""
    from kickgan.train.distributed import Dist
    from kickgan.train.loop import start_from_weights
    from kickgan.train.solvers import make_solver

    cfg = load_config(CONFIGS / "tiny.yaml", ["steps=3", "ckpt_every=3", "preview_every=100", "device=cpu"])
    source = train(cfg, "synth:8", out=tmp_path / "pre", progress=False) / "checkpoints" / "latest.pt"
    state = load_checkpoint(source)
    solver = make_solver(cfg, (1, 32, 64), Dist(rank=0, world=1, device=torch.device("cpu")))
    start_from_weights(solver, source)
    for name in ("G", "D"):
        for key, value in state[name].items():
            torch.testing.assert_close(solver.modules()[name].state_dict()[key], value)
    assert solver.step == 0 and not solver.state_dict()["opt_g"]["state"]  # no Adam moments yet

    fine = load_config(CONFIGS / "tiny.yaml", ["steps=2", "preview_every=100", "device=cpu", f"init_from={source}"])
    run = train(fine, "synth:8", out=tmp_path / "fine", progress=False)
    assert "started from the weights of" in (run / "log.txt").read_text()
    assert load_checkpoint(run / "checkpoints" / "latest.pt")["step"] == 2

    wider = load_config(CONFIGS / "tiny.yaml", ["steps=2", "model.width=8", "device=cpu", f"init_from={source}"])
    with pytest.raises(KickganError, match=r"init_from .*latest.pt: its networks do not fit this config"):
        train(wider, "synth:8", out=tmp_path / "wider", progress=False)
    missing = load_config(CONFIGS / "tiny.yaml", ["device=cpu", f"init_from={tmp_path / 'nope.pt'}"])
    with pytest.raises(KickganError, match=r"init_from .*nope.pt: no such checkpoint file"):
        train(missing, "synth:8", out=tmp_path / "missing", progress=False)


def test_a_cpu_clock_budget_counts_cpu_time_and_threads_are_the_configs(tmp_path, monkeypatch):
    ticks = iter(range(0, 10**6, 30))  # every reading of the CPU clock is 30 s after the last
    monkeypatch.setattr(time, "process_time", lambda: float(next(ticks)))
    cfg = load_config(CONFIGS / "tiny.yaml", [*SHRINK, *TINY_REP, "steps=50", "time_budget_minutes=1",
                                              "budget_clock=cpu", "threads=1"])
    before = torch.get_num_threads()
    try:
        run = train(cfg, out=tmp_path / "run", progress=False)
        threads = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    state = load_checkpoint(run / "checkpoints" / "latest.pt")
    assert threads == 1
    assert (state["step"], state["train_seconds"]) == (2, 60.0)  # 30 CPU seconds a step, 1 minute's budget


def test_val_n_scores_more_kicks_than_the_previews_and_the_previews_are_the_first_of_them(tmp_path, monkeypatch):
    from kickgan.train.validate import Validator

    scored = []
    original = Validator.__call__

    def spy(self, D, waves):
        scored.append(waves)
        return original(self, D, waves)

    monkeypatch.setattr(Validator, "__call__", spy)
    monkeypatch.setattr("kickgan.train.loop.RENDER_CHUNK", 4)  # several chunks
    cfg = load_config(CONFIGS / "tiny.yaml", [*SHRINK, *TINY_REP, "val_n=10"])
    run = train(cfg, out=tmp_path / "run", progress=False)
    assert [len(w) for w in scored] == [10]
    previews = sorted((run / "previews" / "step_0000002").glob("seed*.wav"))
    assert [p.stem for p in previews] == ["seed0000", "seed0001"]
    for i, path in enumerate(previews):
        y, _ = sf.read(path, dtype="float32")
        assert np.allclose(y, scored[0][i], atol=1e-4)  # the same kick (written as 16-bit PCM or float)
