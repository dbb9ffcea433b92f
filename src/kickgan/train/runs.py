"""Run folders: numbered like stylegan2-ada (``runs/00003-dcgan_wgangp``), each describing itself.

::

    RUN/training_options.json    the resolved config, data, world size, versions
    RUN/stats.jsonl              one record of namespaced scalars per step
    RUN/log.txt                  messages (warnings, guards, checkpoints)
    RUN/previews/step_NNNNNNN/seedSSSS.wav, RUN/previews/step_NNNNNNN.png
    RUN/checkpoints/latest.pt, best.pt, step_NNNNNNN.pt
    RUN/tensorboard/             when tensorboard is installed
"""

from __future__ import annotations

import re
from pathlib import Path

from kickgan.checkpoints import versions
from kickgan.config import TrainConfig
from kickgan.errors import KickganError
from kickgan.io import write_json

RUNS_DIR = Path("runs")
_NUMBERED = re.compile(r"^(\d{5})-")


def next_run_dir(parent: Path, name: str) -> Path:
    """``parent/NNNNN-name`` with NNNNN one more than the largest number already in ``parent``."""
    numbers = [int(m.group(1)) for p in parent.glob("*") if (m := _NUMBERED.match(p.name))] if parent.is_dir() else []
    return parent / f"{max(numbers, default=-1) + 1:05d}-{name}"


def create_run_dir(out: Path | None, name: str) -> Path:
    """The folder of a new run: ``out`` (which must not hold a run already) or the next numbered one."""
    run_dir = next_run_dir(RUNS_DIR, name) if out is None else Path(out)
    if (run_dir / "checkpoints").exists() or (run_dir / "training_options.json").exists():
        raise KickganError(f"--out {run_dir}: already holds a run; continue it with --resume {run_dir}")
    (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    return run_dir


def write_options(run_dir: Path, cfg: TrainConfig, data: str, world: int) -> None:
    """Write ``training_options.json``: the resolved config plus how the run was launched."""
    write_json(
        run_dir / "training_options.json",
        {"config": cfg.to_dict(), "data": data, "world_size": world, "versions": versions()},
    )
