"""The training loop: ``train(cfg, data, out, resume)`` -> the run folder.

Per step: ``n_critic`` D updates on real batches and detached fakes, one G update,
one EMA update (:class:`kickgan.train.trainer.Trainer`, the GAN family's solver, reached through
:mod:`kickgan.train.solvers`); the step's scalars go to
``stats.jsonl`` and TensorBoard. Every ``preview_every`` steps: the fixed-seed
preview bank (WAVs + PNG grid), its health check, the validation measures and the
``best`` checkpoint. Every ``ckpt_every`` steps, at the end, on Ctrl+C and when the
time budget is spent: ``checkpoints/latest.pt``. A non-finite loss, gradient or
weight stops the run before it touches the weights or a checkpoint. With ``restarts``, the
solver is rebuilt from fresh weights when each share of the budget is spent
(:mod:`kickgan.train.restarts`); steps, logs and checkpoints run on.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from kickgan.checkpoints import load_checkpoint, save_checkpoint
from kickgan.config import KID_METRICS, TrainConfig
from kickgan.errors import KickganError, Terminated
from kickgan.models import sample_latents
from kickgan.models.precision import check_precision
from kickgan.spectral import make_representation
from kickgan.train.data import batch_indices, load_training_clips, with_pitch_shifts
from kickgan.train.distributed import Dist, any_rank, close_distributed, init_distributed, wait_for_every_rank
from kickgan.train.guards import NonFiniteError, check_finite_weights, health_warnings, preview_health
from kickgan.train.previews import render_previews, write_preview_bank
from kickgan.train.restarts import Segment, segment_config
from kickgan.train.runs import create_run_dir, write_options
from kickgan.train.schedule import follow_schedule
from kickgan.train.solvers import make_solver
from kickgan.train.stats import RunLog
from kickgan.train.validate import Validator

ENCODE_CHUNK = 64
RENDER_CHUNK = 64  # validation kicks decoded at once


def train(
    cfg: TrainConfig, data: str | None = None, out: str | Path | None = None, resume: str | Path | None = None,
    *, progress: bool = True,
) -> Path | None:
    """Train (or, with ``resume`` = a run folder, continue) ``cfg``'s model with its family's solver;
    return the run folder (None off rank 0).

    data: a dataset folder or ``synth:N``; ``None`` uses ``cfg.data``. out: the new run's folder
    (default: the next numbered folder under ``runs/``). Raises ``KickganError`` for bad input and
    :class:`~kickgan.train.guards.NonFiniteError` when training diverges.
    """
    cfg = dataclasses.replace(cfg, data=data) if data else cfg  # checkpoints record the data they saw
    info = init_distributed(cfg.device)
    try:
        run_dir = _train(cfg, cfg.data, out, resume, info, progress)
        wait_for_every_rank(info)  # no process leaves the group while another still writes or reduces
        return run_dir
    finally:
        close_distributed(info)


def _train(cfg, data, out, resume, info: Dist, progress: bool) -> Path | None:
    _set_determinism(cfg)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    check_precision(cfg.precision, info.device)
    if cfg.batch_size % info.world:
        raise KickganError(f"batch_size: {cfg.batch_size} does not split over {info.world} processes")
    if cfg.init_from and not resume and not Path(cfg.init_from).is_file():
        raise KickganError(f"init_from {cfg.init_from}: no such checkpoint file")
    state = load_checkpoint(Path(resume) / "checkpoints" / "latest.pt") if resume else None
    rep = make_representation(cfg.representation).to(info.device)
    recorded, val_clips = load_training_clips(data, cfg.representation.sr, cfg.representation.length)
    train_clips = with_pitch_shifts(recorded, cfg.representation.sr, cfg.pitch_shifts)
    if state is None:
        rep.fit(train_clips)
    else:
        rep.load_state_dict(state["representation"])
    train_specs, val_specs = _encode(rep, train_clips), _encode(rep, val_clips)

    def new_solver(segment_cfg: TrainConfig):  # the model family's solver, for the run or one of its restarts
        return make_solver(segment_cfg, tuple(rep.shape), info, train_specs)

    run_dir = None
    if info.is_main:
        run_dir = Path(resume) if resume else create_run_dir(None if out is None else Path(out), cfg.name)
        write_options(run_dir, cfg, data, info.world)
    log = RunLog(run_dir)
    embedding = cfg.best_metric in KID_METRICS or cfg.best_min_memorisation > 0
    validator = Validator(rep, val_specs.to(info.device), train_specs, cfg.representation.sr,
                          kid=embedding, train_clips=recorded)
    loop = _Loop(cfg, info, rep, new_solver, log, run_dir, validator)
    if state is not None:
        loop.restore(state)
    elif cfg.init_from:
        start_from_weights(loop.trainer, cfg.init_from)
        log.message(f"started from the weights of {cfg.init_from}")
    log.message(f"training {cfg.name} on {data}: {len(train_clips)} train / {len(val_clips)} val kicks, "
                f"shape {tuple(rep.shape)}, device {info.device}, {info.world} process(es), run {run_dir}")
    try:
        with _interrupt_flag() as interrupted:
            loop.run(train_specs, interrupted, progress)
    finally:
        log.close()
    return run_dir


def start_from_weights(solver, path: str | Path) -> None:
    """Load the networks of the checkpoint ``path`` (every entry of ``solver.modules()``) into a new
    run's solver, keeping its fresh optimisers, step and random state: fine-tuning a pretrained model."""
    source = load_checkpoint(path)
    fresh = solver.state_dict()
    missing = [name for name in solver.modules() if name not in source]
    if missing:
        raise KickganError(f"init_from {path}: the checkpoint has no {', '.join(missing)}")
    fresh.update({name: source[name] for name in solver.modules()})
    try:
        solver.load_state_dict(fresh)
    except (KickganError, KeyError, RuntimeError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[0][:200]
        raise KickganError(f"init_from {path}: its networks do not fit this config ({detail})") from None


class _Loop:
    """The state of the loop around the trainer: logging, previews, checkpoints, budget, restarts.
    ``new_solver(segment_cfg)`` builds the solver of the run (or of one of its restarts)."""

    def __init__(self, cfg, info, rep, new_solver, log, run_dir, validator):
        self.cfg, self.info, self.rep, self.new_solver, self.log = cfg, info, rep, new_solver, log
        self.run_dir, self.validator = run_dir, validator
        self.segment, self.segment_cfg = Segment(), segment_config(cfg, 0)
        self.trainer = new_solver(self.segment_cfg)
        self.best = {"metric": cfg.best_metric, "value": float("inf"), "step": 0, "eligible": False}
        self.seeds = list(range(cfg.preview_n))
        # the previews are the first preview_n of the kicks the validation scores
        self.z_val = sample_latents(cfg.model, list(range(max(cfg.preview_n, cfg.val_n)))).to(info.device)
        self.train_seconds = 0.0
        self.last_good: tuple[Path, int] | None = None

    @property
    def step(self) -> int:
        """The run's step: the solver's own (since its restart) plus the step its restart began at."""
        return self.segment.step + self.trainer.step

    def restore(self, state: dict) -> None:
        """Continue from a checkpoint: restart, weights, optimisers, RNG, best score, time spent."""
        self.segment = Segment.from_state(state.get("segment"))
        if self.segment.index:
            self.segment_cfg = segment_config(self.cfg, self.segment.index)
            self.trainer = self.new_solver(self.segment_cfg)
        self.trainer.load_state_dict(state)
        self.trainer.step = int(state["step"]) - self.segment.step  # the checkpoint holds the run's step
        self.best = state.get("best", self.best)
        self.train_seconds = float(state.get("train_seconds", 0.0))
        if self.run_dir is not None:
            self.last_good = (self.run_dir / "checkpoints" / "latest.pt", self.step)
        self.log.truncate(self.step)
        self.log.message(f"resumed {self.run_dir} at step {self.step}")

    def _restart(self) -> None:
        """Start the next segment of a run with ``restarts``: fresh networks and optimisers, its own seed."""
        index = self.segment.index + 1
        self.segment = Segment(index, self.step, self.train_seconds)
        self.segment_cfg = segment_config(self.cfg, index)
        self.trainer = self.new_solver(self.segment_cfg)
        if self.cfg.init_from:
            start_from_weights(self.trainer, self.cfg.init_from)
        self.log.message(f"step {self.step}: restart {index + 1} of {self.cfg.restarts} from fresh weights "
                         f"(seed {self.segment_cfg.seed})")

    def run(self, specs: torch.Tensor, interrupted: dict, progress: bool) -> None:
        cfg = self.cfg
        per_rank = cfg.batch_size // self.info.world
        bar = tqdm(total=cfg.steps, initial=self.step, unit="step", dynamic_ncols=True,
                   disable=not (progress and self.info.is_main))
        budget = cfg.time_budget_minutes * 60
        clock = time.process_time if cfg.budget_clock == "cpu" else time.perf_counter
        specs = specs.to(self.info.device)  # resident: each batch is a gather on the device, no upload
        try:
            while self.step < cfg.steps:
                if self.segment.over(cfg.restarts, self.segment_cfg, self.train_seconds, self.step):
                    self._restart()
                start, start_clock, trainer = time.perf_counter(), clock(), self.trainer
                n = trainer.batches_per_step
                follow_schedule(trainer, self.segment_cfg, self.train_seconds - self.segment.seconds, trainer.step)
                batches = [specs[batch_indices(len(specs), per_rank, trainer.step * n + k,
                                               self.segment_cfg.seed, self.info.rank, self.info.world)]
                           for k in range(n)]
                scalars = trainer.train_step(batches)
                step = self.step
                scalars["time/step"] = time.perf_counter() - start
                self.train_seconds += clock() - start_clock
                if step % cfg.preview_every == 0 and self.info.is_main:
                    scalars.update(self._preview(step))
                self.log.scalars(step, self.train_seconds, scalars)
                bar.update(1)
                if step % 10 == 0 or step == cfg.steps:
                    bar.set_postfix({k: f"{v:.3g}" for k, v in scalars.items() if k.startswith("loss/")})
                over_budget = budget > 0 and self.train_seconds >= budget
                stop = any_rank(interrupted["flag"] or over_budget, self.info)
                if step % cfg.ckpt_every == 0 or step == cfg.steps or stop:
                    self._save("latest.pt")
                if cfg.keep_every and step % cfg.keep_every == 0:
                    self._save(f"step_{step:07d}.pt")
                if stop:
                    reason = "interrupted" if interrupted["flag"] else "time budget spent"
                    self.log.message(f"{reason} at step {step}; checkpoint saved; continue with "
                                     f"kickgan train --resume {self.run_dir}")
                    if interrupted["flag"]:
                        raise Terminated if interrupted["signal"] == signal.SIGTERM else KeyboardInterrupt
                    break
        except NonFiniteError as exc:
            raise self._stopped(exc) from None
        finally:
            bar.close()

    def _stopped(self, exc: NonFiniteError) -> NonFiniteError:
        """The guard's error, completed with where the last good checkpoint is, and logged."""
        where = f"last good checkpoint {self.last_good[0]} (step {self.last_good[1]})" if self.last_good \
            else "no checkpoint was written yet"
        message = f"{exc}; training stopped, {where}"
        self.log.message(message)
        return NonFiniteError(message)

    def _preview(self, step: int) -> dict[str, float]:
        with torch.random.fork_rng(devices=[]):  # previews never disturb the training RNG
            G = self.trainer.sampling_module
            scored = np.concatenate([render_previews(G, self.rep, self.z_val[i : i + RENDER_CHUNK])
                                     for i in range(0, len(self.z_val), RENDER_CHUNK)])
            waves = scored[: len(self.seeds)]
            health = preview_health(scored)
            for warning in health_warnings(health):
                self.log.message(f"step {step}: {warning}")
            sr = self.cfg.representation.sr
            grid = write_preview_bank(self.run_dir / "previews", step, waves, sr, self.seeds)
            self.log.previews(step, grid, waves, sr, self.seeds)
            measures = self.validator(self.trainer.critic, scored)
        key = {"descriptors": "val/desc_w1", "descriptors+bands": "val/desc_bands_w1",
               "spectral": "val/spectral", "kid": "val/kid",
               "kid+descriptors": "val/kid_desc",
               "kid+descriptors+bands": "val/kid_desc_bands"}.get(self.cfg.best_metric)
        value = measures.get(key, float("nan")) if key else float("nan")
        # near-copies of train kicks are kept only while no checkpoint has passed the memorisation guard
        eligible = measures.get("val/mem", float("inf")) >= self.cfg.best_min_memorisation  # False for NaN
        ranked = (not eligible, value) < (not self.best.get("eligible", True), self.best["value"])
        # saturated bins decode absurdly loud kicks that the peak-normalised descriptors cannot see
        if value == value and ranked and not health["preview/loud"]:
            self.best = {"metric": self.cfg.best_metric, "value": value, "step": step, "eligible": eligible}
            self._save("best.pt")
        return {**health, **measures}

    def _save(self, name: str) -> None:
        if not self.info.is_main:
            return
        step = self.step
        check_finite_weights(step, self.trainer.modules())
        path = self.run_dir / "checkpoints" / name
        state = {**self.trainer.state_dict(), "step": step, "representation": self.rep.state_dict(),
                 "config": self.cfg.to_dict(), "best": self.best, "train_seconds": self.train_seconds,
                 **({"segment": self.segment.state_dict()} if self.cfg.restarts > 1 else {})}
        save_checkpoint(path, state)
        if name == "latest.pt":
            self.last_good = (path, step)


def _encode(rep, clips) -> torch.Tensor:
    """Encode clips ``[N,T]`` to the representation ``[N,*rep.shape]`` (CPU, float32), in chunks."""
    wave = torch.from_numpy(clips).float()[:, None]
    if len(wave) == 0:
        return torch.zeros(0, *rep.shape)
    device = next((b.device for b in rep.buffers()), torch.device("cpu"))
    with torch.no_grad():
        return torch.cat([rep.encode(wave[i : i + ENCODE_CHUNK].to(device)).cpu()
                          for i in range(0, len(wave), ENCODE_CHUNK)])


def _set_determinism(cfg: TrainConfig) -> None:
    if cfg.deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
    else:
        torch.backends.cudnn.benchmark = True


@contextmanager
def _interrupt_flag():
    """Turn the first Ctrl+C or SIGTERM into a flag the loop checks after each step (``flag["signal"]``
    says which); a second one interrupts at once."""
    flag = {"flag": False, "signal": None}

    def handler(signum, frame):
        if flag["flag"]:
            raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        flag.update(flag=True, signal=signum)

    try:
        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave the signals alone
        yield flag
        return
    try:
        yield flag
    finally:
        for sig, action in previous.items():
            signal.signal(sig, action)
