"""End to end: a tiny grid on a synthesised dataset; tables, figures, gallery; resume and skip."""

import dataclasses
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kickgan.cli import experiment as experiment_cli
from kickgan.data.build import build_dataset
from kickgan.data.synth import write_synth
from kickgan.errors import KickganError
from kickgan.experiment.figures import FORMATS
from kickgan.experiment.gallery import FIGURES
from kickgan.experiment.record import load_record
from kickgan.experiment.runner import DONE, describe_plan, run_experiment
from kickgan.experiment.spec import ModelEntry, load_spec, with_overrides
from kickgan.train import train

TINY = Path(__file__).resolve().parents[1] / "configs" / "experiments" / "tiny.yaml"
pytestmark = pytest.mark.slow


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href")]


class CountingTrain:
    """``kickgan.train.train``, recording each call's run folder and whether it resumed."""

    def __init__(self, stop_after_steps: int | None = None):
        self.calls = []
        self.stop_after_steps = stop_after_steps

    def __call__(self, cfg, data, out=None, resume=None, progress=True):
        self.calls.append(("resume" if resume else "new", Path(resume or out).name))
        if self.stop_after_steps is not None:  # train part of the budget, then die like a killed process
            train(dataclasses.replace(cfg, steps=self.stop_after_steps), data, out=out, resume=resume, progress=False)
            raise KeyboardInterrupt
        return train(cfg, data, out=out, resume=resume, progress=False)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """40 synthesised kicks in 5 kits at 8 kHz: 24 train, 8 val, 8 test, split by kit."""
    root = tmp_path_factory.mktemp("kicks")
    for seed, kit in enumerate(("kitA", "kitB", "kitC", "kitD", "kitE")):
        write_synth(root / "src" / kit, 8, seed=seed, sr=8000, length=2048)
    build_dataset([root / "src"], root / "ds", sr=8000, length=2048, all_kicks=True)
    return root / "ds"


@pytest.fixture(scope="module")
def spec(dataset):
    """configs/experiments/tiny.yaml: two configs, one seed, 2 steps (a best checkpoint at step 2)."""
    return with_overrides(load_spec(TINY), data=str(dataset), steps=2, seeds=1)


@pytest.fixture(scope="module")
def finished(spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    first = CountingTrain()
    run_experiment(spec, out, progress=False, train_fn=first, log=lambda _: None)
    return out, first


def test_every_run_is_trained_once_and_scored_on_its_best_checkpoint(finished, spec):
    out, first = finished
    assert first.calls == [("new", "tiny_wgangp-s0"), ("new", "tiny_bce-s0")]
    record = load_record(out)
    assert [m["name"] for m in record["models"]] == ["tiny_wgangp", "tiny_bce"]
    for run in record["runs"]:
        assert run["steps"] == 2 and run["checkpoint"] == "best.pt" and run["checkpoint_step"] == 2
        assert 0.0 <= run["metrics"]["valid/ok"] <= 1.0 and run["metrics"]["perf/kicks_per_s"] > 0
        assert len(run["descriptors"]["decay40_ms"]) == spec.eval.n
        assert (out / run["dir"] / DONE).is_file()
    assert record["models"][0]["params"]["G"] == sum(row[2] for row in record["models"][0]["layers"]["G"])
    assert set(record["baselines"]) == {"real_floor", "copy_train"}
    assert len(record["ceilings"]) == 1 and record["ceilings"][0]["models"] == ["tiny_wgangp", "tiny_bce"]
    assert record["dataset"]["splits"] == {"train": 24, "val": 8, "test": 8}
    assert record["budget"] == {"steps": 2} and record["hardware"]["cpu_count"] == os.cpu_count()


def test_tables_parse_with_one_row_per_model_and_reference(finished):
    out, _ = finished
    rows = [line for line in (out / "results.md").read_text().splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert all(len(c) == len(cells[0]) for c in cells)
    assert [c[0] for c in cells[2:]] == ["tiny_wgangp", "tiny_bce", "*real floor (test vs test)*",
                                         "*copy the training set*",
                                         "*round trip: logmag 128/32, 32 bins, pghi+gl 4 it.*"]
    assert "descriptor dist. ↓" in cells[0] and "FD ↓" not in cells[0]  # the YAML's metrics subset
    tex = (out / "results.tex").read_text()
    assert tex.count("\\begin{tabular}") == tex.count("\\end{tabular}") == 1
    ncols = len(re.search(r"\\begin\{tabular\}\{(\w+)\}", tex).group(1))
    body = [line for line in tex.splitlines() if line.endswith("\\\\")]
    assert len(body) == 6 and all(line.count("&") == ncols - 1 for line in body)


def test_every_figure_exists_and_the_html_references_only_existing_files(finished):
    out, _ = finished
    for stem, _ in FIGURES:
        for fmt in FORMATS:
            assert (out / "figures" / f"{stem}.{fmt}").stat().st_size > 1000
    parser = Links()
    parser.feed((out / "index.html").read_text())
    assert len([r for r in parser.refs if r.endswith(".wav")]) == 3 * 4  # real + 2 models, 4 kicks each
    for ref in parser.refs:
        assert not ref.startswith(("/", "http")) and (out / ref).is_file(), ref
    assert "| kit | train | val | test | licence |" in (out / "methods.md").read_text()


def test_rerun_skips_finished_runs_resumes_an_interrupted_one_and_adds_a_new_config(finished, spec):
    out, _ = finished
    done = [out / "runs" / name / DONE for name in ("tiny_wgangp-s0", "tiny_bce-s0")]
    stamps = [p.stat().st_mtime_ns for p in done]
    grown = dataclasses.replace(spec, configs=spec.configs + (ModelEntry("tiny_hinge", spec.configs[0].config,
                                                                          ("loss.kind=hinge",)),))
    killed = CountingTrain(stop_after_steps=1)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(grown, out, progress=False, train_fn=killed, log=lambda _: None)
    assert killed.calls == [("new", "tiny_hinge-s0")]
    assert "tiny_hinge: " in describe_plan(grown, out) and "seed 0: resume" in describe_plan(grown, out)

    again = CountingTrain()
    run_experiment(grown, out, progress=False, train_fn=again, log=lambda _: None)
    assert again.calls == [("resume", "tiny_hinge-s0")]
    assert [p.stat().st_mtime_ns for p in done] == stamps
    record = load_record(out)
    assert [r["model"] for r in record["runs"]] == ["tiny_wgangp", "tiny_bce", "tiny_hinge"]
    assert record["runs"][2]["steps"] == 2
    assert "tiny_hinge" in (out / "results.md").read_text()

    never = CountingTrain()
    with pytest.raises(KickganError, match="tiny_wgangp-s0/done.json: finished under another config, budget"):
        run_experiment(with_overrides(grown, steps=3), out, progress=False, train_fn=never, log=lambda _: None)
    assert never.calls == []


def test_dry_run_prints_each_runs_state_without_training(finished, dataset, capsys):
    out, _ = finished
    args = [str(TINY), "--data", str(dataset), "--steps", "2", "--seeds", "1", "--out", str(out), "--dry-run"]
    assert experiment_cli.main(args, "kickgan experiment") == 0
    text = capsys.readouterr().out
    assert "budget 2 steps per run" in text and "tiny_bce: " in text and "seed 0: done (skipped)" in text
    assert "seed 1" not in text


def test_a_row_trained_on_another_build_is_scored_at_the_experiments_rate(dataset, spec, tmp_path):
    """A row on the same kits built at 16 kHz (its own ``data``) trains at 16 kHz; its kicks are
    resampled to the experiment data's 8 kHz and length, its gallery WAVs are written at that rate,
    and its representation's round trip is fitted on, and named after, its own build."""
    import soundfile as sf

    root = tmp_path / "kicks16"
    for seed, kit in enumerate(("kitA", "kitB", "kitC", "kitD", "kitE")):
        write_synth(root / "src" / kit, 8, seed=seed, sr=16000, length=4096)
    build_dataset([root / "src"], root / "ds", sr=16000, length=4096, all_kicks=True)
    row = ModelEntry("tiny_16k", spec.configs[0].config, ("representation.sr=16000", "representation.length=4096"),
                     str(root / "ds"))
    out = tmp_path / "report"
    run_experiment(dataclasses.replace(spec, configs=(row,)), out, progress=False, train_fn=CountingTrain(),
                   log=lambda _: None)
    record = load_record(out)
    assert record["models"][0]["config"]["data"] == str(root / "ds")
    assert record["models"][0]["config"]["representation"]["sr"] == 16000
    run = record["runs"][0]
    y, sr = sf.read(out / run["audio"][0])
    assert (sr, len(y)) == (8000, 2048)
    assert len(run["descriptors"]["attack_ms"]) == spec.eval.n
    (ceiling,) = record["ceilings"]
    assert ceiling["name"].endswith(", 16 kHz on ds") and ceiling["models"] == ["tiny_16k"]
    assert "on " + str(root / "ds") in describe_plan(dataclasses.replace(spec, configs=(row,)), out)


def test_jobs_train_and_score_runs_in_parallel_processes_like_one_job(finished, spec, dataset, tmp_path):
    out, _ = finished
    args = [str(TINY), "--data", str(dataset), "--steps", "2", "--seeds", "1", "--out", str(tmp_path / "r"),
            "--jobs", "2", "--quiet"]
    assert experiment_cli.main(args, "kickgan experiment") == 0
    serial = {r["model"]: r for r in load_record(out)["runs"]}
    record = load_record(tmp_path / "r")
    assert (record["hardware"]["torch_threads"], record["hardware"]["jobs"]) == (1, 2)
    assert "1 torch threads per run, 2 runs at once" in (tmp_path / "r" / "methods.md").read_text()
    parallel = record["runs"]
    assert [r["model"] for r in parallel] == [e.name for e in spec.configs]  # in the plan's order
    for run in parallel:
        assert (tmp_path / "r" / "runs" / f"{run['model']}-s0" / DONE).is_file()
        assert run["steps"] == serial[run["model"]]["steps"] == 2


def test_a_worker_whose_experiment_process_is_gone_interrupts_itself_then_exits():
    import subprocess
    import sys

    script = ("import signal, sys, time\n"
              "from kickgan.experiment import pool\n"
              "def run_saves_and_ends(*_):\n"
              "    time.sleep(0.5)\n"
              "    print('saved', flush=True)\n"
              "    pool._WORKER_RUNNING.clear()\n"
              "signal.signal(signal.SIGINT, run_saves_and_ends)\n"
              "pool._WORKER_RUNNING.set()  # a run in progress: the worker waits for it to save\n"
              "pool._watch_parent(parent=-1, every_s=0.01)  # not our parent: as if it had died\n"
              "time.sleep(10)\n"
              "print('still alive', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (130, "saved\n")


def test_an_option_added_since_a_run_finished_keeps_it_finished_while_it_has_its_default(finished, spec):
    out, _ = finished
    done = out / "runs" / "tiny_wgangp-s0" / DONE
    original = done.read_text()
    try:
        marker = json.loads(original)
        del marker["fingerprint"]["config"]["val_n"]  # as written before val_n existed
        del marker["fingerprint"]["config"]["loss"]["r1_gamma"]  # a nested section's option too
        done.write_text(json.dumps(marker))
        never = CountingTrain()
        run_experiment(spec, out, progress=False, train_fn=never, log=lambda _: None)
        assert never.calls == []
        with pytest.raises(KickganError, match="tiny_wgangp-s0/done.json: finished under another config"):
            run_experiment(dataclasses.replace(spec, set=(*spec.set, "val_n=64")), out, progress=False, train_fn=never,
                           log=lambda _: None)
        marker["fingerprint"]["config"]["seed"] = 7  # an option it had, with another value
        done.write_text(json.dumps(marker))
        with pytest.raises(KickganError, match="finished under another config"):
            run_experiment(spec, out, progress=False, train_fn=never, log=lambda _: None)
        assert never.calls == []
    finally:
        done.write_text(original)


def test_sigint_to_the_experiment_process_alone_checkpoints_every_worker_and_stops(dataset, tmp_path):
    """As Ctrl+C, or a job manager's SIGINT to the one process it started: the workers save their runs
    and exit, no queued run starts, the experiment exits 130 and leaves no worker behind."""
    _interrupt_a_two_job_experiment(dataset, tmp_path, lambda proc, workers: [proc.pid])


def test_sigterm_to_the_experiment_process_checkpoints_every_worker_and_stops(dataset, tmp_path):
    """A job manager's ``kill``: as Ctrl+C, but the exit status says SIGTERM."""
    _interrupt_a_two_job_experiment(dataset, tmp_path, lambda proc, workers: [proc.pid], "SIGTERM", 143)


def test_sigint_to_one_worker_checkpoints_both_runs_and_stops_the_experiment(dataset, tmp_path):
    """A worker interrupted on its own (say by ``kill -INT``) must not break the pool, which would kill
    the other worker before it saved its run."""
    _interrupt_a_two_job_experiment(dataset, tmp_path, lambda proc, workers: workers[:1])


def _interrupt_a_two_job_experiment(dataset, tmp_path, targets, sig: str = "SIGINT", code: int = 130) -> None:
    """Start a two-job experiment, send ``sig`` to ``targets(proc, workers)`` once both runs train, and
    check: exit ``code``, every running run logged its interrupt and saved, nothing queued started, no worker left."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "r"
    cmd = [sys.executable, "-m", "kickgan", "experiment", str(TINY), "--data", str(dataset), "--steps", "100000",
           "--seeds", "2", "--out", str(out), "--jobs", "2", "--quiet"]
    proc = subprocess.Popen(cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        started = lambda: sorted(p.parent.name for p in out.glob("runs/*/stats.jsonl"))  # noqa: E731
        while len(started()) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
        assert len(started()) == 2, "two runs should be training"
        children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent_of(p) == proc.pid]
        workers = [int(p.name) for p in children if b"spawn_main" in _read(p / "cmdline")]  # not the resource tracker
        assert len(workers) == 2
        for pid in targets(proc, workers):
            os.kill(pid, getattr(signal, sig))  # this process only, not its group
        assert proc.wait(timeout=120) == code
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert started() == ["tiny_wgangp-s0", "tiny_wgangp-s1"]  # the queued tiny_bce runs never started
    for name in started():
        assert (out / "runs" / name / "checkpoints" / "latest.pt").is_file()
        assert "interrupted at step" in (out / "runs" / name / "log.txt").read_text()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _parent_of(proc_dir: Path) -> int | None:
    try:
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
