"""``experiment.json``: everything a report is made from, so that it regenerates without retraining.

Schema (``format: kickgan-experiment/1``; paths are relative to the report folder)::

    {"format", "name", "created", "updated",
     "spec":      the resolved ExperimentSpec (configs, seeds, budget, eval options),
     "budget":    {"minutes": M}, {"cpu_minutes": M} or {"steps": S}, the same for every run,
     "versions":  {"kickgan", "torch", "numpy", "python"},
     "hardware":  {"platform", "machine", "processor", "cpu_count", "torch_threads" (each run's),
                   "jobs" (runs at once), "device"},
     "dataset":   {"path", "sr", "length", "split_by", "splits": {split: n},
                   "kits": {kit: {split: n}}, "licences": {kit: licence}, "preprocessing": {...}},
     "models":    [{"name", "config_file", "config": training_options, "layers": {"G": [...], "D": [...]},
                    "params": {"G": n, "D": n}}],                      # in the order of the spec
     "runs":      [{"model", "seed", "dir", "steps", "train_seconds", "checkpoint",
                    "metrics": {flat metric dict + "perf/s_per_iter", "perf/kicks_per_s"},
                    "curves": {"step": [...], "time": [...], key: [...]},     # from stats.jsonl
                    "descriptors": {name: [one value per generated kick]},
                    "power_spectrum": [dB per frequency bin], "audio": [wav paths]}],
     "real":      {"audio": [...], "descriptors": {...}, "power_spectrum": [...], "freqs": [Hz per bin]},
     "baselines": {"real_floor": {metrics}, "copy_train": {metrics}},
     "ceilings":  [{"name", "representation": SpecConfig dict, "metrics": {...}}],
     "metric_notes": {metric key: how it is computed}}
"""

from __future__ import annotations

import math
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from kickgan import __version__
from kickgan.errors import KickganError
from kickgan.io import read_json, read_jsonl, write_json

FORMAT = "kickgan-experiment/1"
RECORD = "experiment.json"
EVALUATION_PREFIXES = ("val/", "preview/")
REQUIRED = ("name", "spec", "budget", "versions", "hardware", "dataset", "models", "runs", "real")


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def environment(device: str, threads: int | None = None, jobs: int = 1) -> dict:
    """Library versions and the hardware a run happens on: ``threads`` is the torch threads each run
    trained with (default: this process's), ``jobs`` how many runs trained at once."""
    import torch

    versions = {"kickgan": __version__, "torch": torch.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    hardware = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": threads or torch.get_num_threads(),
        "jobs": jobs,
        "device": device,
    }
    if device.startswith("cuda") and torch.cuda.is_available():
        hardware["gpu"] = torch.cuda.get_device_name(0)
    return {"versions": versions, "hardware": hardware}


def load_record(folder: str | Path) -> dict:
    """Read ``FOLDER/experiment.json``; a ``KickganError`` if it is missing or not an experiment record."""
    path = Path(folder) / RECORD
    record = read_json(path)
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise KickganError(f"{path}: not a {FORMAT} record")
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        raise KickganError(f"{path}: missing {', '.join(missing)} (written by an interrupted experiment?)")
    return record


def save_record(folder: str | Path, record: dict) -> None:
    """Write ``FOLDER/experiment.json`` atomically, stamping ``updated``."""
    write_json(Path(folder) / RECORD, {**record, "format": FORMAT, "updated": now()})


def curves_from_stats(path: str | Path, max_points: int = 400) -> dict[str, list]:
    """The scalars of a run's ``stats.jsonl`` as columns, thinned to at most ``max_points`` rows.

    Rows without a key hold ``None`` there. Rows of the periodic validation (keys ``val/...``,
    ``preview/...``, every few hundred steps) are all kept.
    ``time`` is the cumulative sum of ``time/step`` when the log has no explicit wall-clock.
    """
    rows = [r for r in read_jsonl(path) if isinstance(r.get("step"), (int, float))]
    if not rows:
        return {}
    if "time" not in rows[0]:
        elapsed = np.cumsum([float(r.get("time/step") or 0.0) for r in rows])
        rows = [{**r, "time": float(t)} for r, t in zip(rows, elapsed)]
    keys = sorted({k for r in rows for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
    keep = set(np.linspace(0, len(rows) - 1, min(max_points, len(rows))).round().astype(int).tolist())
    # periodic validations are rare: keep every row that has one
    picked = [r for i, r in enumerate(rows) if i in keep or any(k.startswith(EVALUATION_PREFIXES) for k in r)]
    return {k: [_finite(r.get(k)) for r in picked] for k in keys}


def rounded(value, digits: int = 6):
    """``value`` (nested lists / dicts of numbers) with floats rounded to ``digits`` significant digits."""
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return float(f"{value:.{digits}g}") if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


BUDGET_UNITS = {"minutes": "minutes", "cpu_minutes": "CPU minutes", "steps": "steps"}


def budget_text(record: dict) -> str:
    """``"4 minutes"``, ``"20 CPU minutes"`` or ``"2000 steps"``: what every run was given."""
    return ", ".join(f"{v:g} {BUDGET_UNITS.get(k, k)}" for k, v in record["budget"].items())


def hardware_text(record: dict) -> str:
    """One line naming the machine: processor, CPUs, torch threads, device (and GPU)."""
    hw = record["hardware"]
    text = (f"{hw.get('processor', '?')}, {hw.get('cpu_count', '?')} CPUs, "
            f"{hw.get('torch_threads', '?')} torch threads"
            + (f" per run, {hw['jobs']} runs at once" if hw.get("jobs", 1) > 1 else "")
            + f", device {hw.get('device', '?')}")
    return text + (f" ({hw['gpu']})" if hw.get("gpu") else "")


def _finite(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return None
