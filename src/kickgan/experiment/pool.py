"""The worker processes of ``kickgan experiment --jobs N``: runs in a spawn pool, interrupted cleanly.

An interrupt (Ctrl+C or SIGTERM to the experiment's process, or SIGINT/SIGTERM to one worker) makes
every running run save its checkpoint; queued runs never start; the experiment then exits as
interrupted. A worker is never allowed to exit while the pool lives: ``ProcessPoolExecutor`` treats
an exited worker as a broken pool and kills the others, perhaps before they have saved. A worker
whose experiment process is gone (killed) interrupts itself and exits once its run has saved.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import active_children, get_context


class RunInterrupted(Exception):
    """A worker's run was interrupted (its checkpoint is saved), or the worker was before this run began."""


_WORKER_INTERRUPTED = threading.Event()
_WORKER_RUNNING = threading.Event()


def run_in_pool(tasks: list[tuple], jobs: int) -> list[dict]:
    """The runs of ``tasks``, ``jobs`` at a time in worker processes. The workers leave the terminal's
    process group, so a Ctrl+C (or a SIGINT sent to this process alone) reaches only this process,
    which passes it on once to each worker: each saves its checkpoint, the rest is cancelled. A worker
    interrupted on its own stops the experiment the same way."""
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                               initializer=_start_worker, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(_run_in_worker, task) for task in tasks]
        for future in as_completed(futures):  # the first failure or interrupt, whichever run it is in
            if future.exception() is not None:
                raise future.exception()
        return [future.result() for future in futures]
    except (KeyboardInterrupt, RunInterrupted) as exc:  # here (Ctrl+C, SIGTERM), or one worker on its own
        for worker in active_children():
            os.kill(worker.pid, signal.SIGINT)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int) -> None:
    """A worker's initialiser: its own process group (interrupts come from the experiment's process),
    and a watch on that process."""
    os.setpgrp()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt_worker)
    _watch_parent(parent)


def _interrupt_worker(signum, frame) -> None:
    """A worker's SIGINT and SIGTERM handler outside the training loop (which sets its own): the first
    one interrupts the run in progress; none ever interrupts the pool's own loop between runs."""
    first = not _WORKER_INTERRUPTED.is_set()
    _WORKER_INTERRUPTED.set()
    if first and _WORKER_RUNNING.is_set():
        raise KeyboardInterrupt


def _watch_parent(parent: int, every_s: float = 1.0) -> None:
    """In a worker: if the experiment's process dies (killed, not interrupted), interrupt this worker
    as Ctrl+C would, so its run saves ``latest.pt`` and it exits instead of training on alone."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_s)
        os.kill(os.getpid(), signal.SIGINT)
        while _WORKER_RUNNING.is_set():
            time.sleep(0.1)
        os._exit(130)  # no pool is left to hand it another run

    threading.Thread(target=watch, daemon=True).start()


def _run_in_worker(task: tuple) -> dict:
    """``_run_one`` in a worker process of ``run_experiment(jobs > 1)``: one thread, no progress bars.
    An interrupted run (Ctrl+C, or the experiment's process gone) has saved its checkpoint; the
    worker then refuses every run it is handed. It stays alive (a worker that exits breaks the
    pool, which then kills the other workers before they have saved theirs)."""
    import torch

    from kickgan.experiment.runner import _run_one  # imported here: the runner imports this module
    from kickgan.train import train as train_run

    if _WORKER_INTERRUPTED.is_set():
        raise RunInterrupted(task[-1])
    torch.set_num_threads(1)
    _WORKER_RUNNING.set()
    try:
        return _run_one(*task, False, train_run, lambda message: print(message, flush=True))
    except KeyboardInterrupt:
        _WORKER_INTERRUPTED.set()
        raise RunInterrupted(task[-1]) from None
    finally:
        _WORKER_RUNNING.clear()
