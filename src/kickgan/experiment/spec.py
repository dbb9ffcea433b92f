"""The experiment configuration: which training configs, how long, how many seeds, how to evaluate.

An experiment YAML (``configs/experiments/*.yaml``)::

    name: kick_it_out
    data: data/open_kicks          # a kickgan dataset folder (``--data`` overrides)
    budget: {minutes: 15}          # or {steps: 2000}: the same for every run
    seeds: [0, 1, 2]               # or a count: 3 -> 0, 1, 2
    set: [preview_every=100]       # key=value overrides for every config (as ``kickgan train --set``)
    configs:                       # table label -> training config (path relative to this file)
      dcgan_bce: {}                # ../dcgan_bce.yaml
      wavegan: {config: ../wavegan.yaml, set: [batch_size=32]}
      kick44k: {data: data/open_kicks_44k}   # trained on another build of the same kits
    eval:
      n: 256                       # kicks generated per run
      reference: test              # split the kicks are scored against
      train: train                 # split for memorisation and copy-the-training-set
      checkpoint: best             # best | latest
      metrics: null                # null: every metric; or a list of registry names (a subset)
    gallery: 8                     # kicks per model in the audio gallery and the spectrogram grids

Every row is scored against ``data``'s splits at ``data``'s rate and length: a model made at another
rate (a row with its own ``data``) has its kicks resampled and cut or padded to them, as a file of
``kickgan generate --sr`` would be. A row's ``data`` must hold the same kits in the same splits.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from kickgan.errors import KickganError
from kickgan.io import read_yaml_mapping

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class ModelEntry:
    """One row of the comparison: a label, its training config file, overrides, and the dataset it
    trains on (``None``: the experiment's)."""

    name: str
    config: str
    set: tuple[str, ...] = ()
    data: str | None = None


@dataclass(frozen=True)
class EvalSpec:
    """How every run's checkpoint is scored."""

    n: int = 256
    reference: str = "test"
    train: str = "train"
    checkpoint: str = "best"
    metrics: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ExperimentSpec:
    """A grid of training configs x seeds under one budget, and its evaluation."""

    name: str
    configs: tuple[ModelEntry, ...]
    data: str = "data/open_kicks"
    minutes: float | None = None
    steps: int | None = None
    clock: str = "wall"  # what ``minutes`` counts: wall time, or the run's CPU time ("cpu_minutes")
    seeds: tuple[int, ...] = (0, 1, 2)
    set: tuple[str, ...] = ()
    eval: EvalSpec = field(default_factory=EvalSpec)
    gallery: int = 8

    def budget(self) -> dict:
        """``{"minutes": m}``, ``{"cpu_minutes": m}`` or ``{"steps": s}``: what every run is given."""
        if self.minutes is None:
            return {"steps": self.steps}
        return {"cpu_minutes" if self.clock == "cpu" else "minutes": self.minutes}

    def to_dict(self) -> dict:
        return asdict(self)


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment YAML; a ``KickganError`` names the file and the bad key."""
    path = Path(path)
    raw = read_yaml_mapping(path, "experiment")
    return spec_from_dict(raw, base=path.parent, where=str(path))


def spec_from_dict(raw: dict, base: Path, where: str) -> ExperimentSpec:
    """Build an :class:`ExperimentSpec` from parsed YAML; config paths are resolved against ``base``."""
    known = {"name", "data", "budget", "seeds", "set", "configs", "eval", "gallery"}
    _no_unknown(raw, known, where)
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        raise KickganError(f"{where}: name: expected letters, digits, '_', '-' or '.', got {name!r}")
    minutes, steps, clock = _budget(raw.get("budget"), where)
    return ExperimentSpec(
        name=name,
        configs=_configs(raw.get("configs"), base, where),
        data=str(raw.get("data", ExperimentSpec.data)),
        minutes=minutes,
        steps=steps,
        clock=clock,
        seeds=_seeds(raw.get("seeds", 3), where),
        set=_strings(raw.get("set", []), f"{where}: set"),
        eval=_eval(raw.get("eval") or {}, where),
        gallery=_positive_int(raw.get("gallery", 8), f"{where}: gallery"),
    )


def with_overrides(
    spec: ExperimentSpec,
    data: str | None = None,
    minutes: float | None = None,
    steps: int | None = None,
    seeds: int | None = None,
) -> ExperimentSpec:
    """The spec with command-line overrides applied (a budget given replaces the YAML's)."""
    if minutes is not None and steps is not None:
        raise KickganError("--budget-minutes and --steps: give one budget, not both")
    changes: dict = {}
    if data is not None:
        changes["data"] = data
    if minutes is not None:
        changes.update(minutes=_positive_float(minutes, "--budget-minutes"), steps=None)
    if steps is not None:
        changes.update(steps=_positive_int(steps, "--steps"), minutes=None)
    if seeds is not None:
        changes["seeds"] = tuple(range(_positive_int(seeds, "--seeds")))
    return replace(spec, **changes)


def _configs(raw, base: Path, where: str) -> tuple[ModelEntry, ...]:
    if not isinstance(raw, dict) or not raw:
        raise KickganError(f"{where}: configs: expected a mapping of label -> options, e.g. 'dcgan_bce: {{}}'")
    entries = []
    for label, opts in raw.items():
        label = str(label)
        if not _NAME.match(label):
            raise KickganError(f"{where}: configs: bad label {label!r} (letters, digits, '_', '-', '.')")
        opts = opts or {}
        if not isinstance(opts, dict):
            raise KickganError(f"{where}: configs.{label}: expected a mapping (config, set, data)")
        _no_unknown(opts, {"config", "set", "data"}, f"{where}: configs.{label}")
        config = Path(os.path.normpath(base / str(opts.get("config", f"../{label}.yaml"))))
        if not config.is_file():
            raise KickganError(f"{where}: configs.{label}: no such training config {config}")
        data = None if opts.get("data") is None else str(opts["data"])
        entries.append(ModelEntry(label, str(config), _strings(opts.get("set", []), f"{where}: configs.{label}.set"), data))
    return tuple(entries)


def _budget(raw, where: str) -> tuple[float | None, int | None, str]:
    """(minutes, steps, clock) from ``{minutes: M}``, ``{cpu_minutes: M}`` or ``{steps: S}``."""
    if not isinstance(raw, dict) or len(raw) != 1 or not set(raw) <= {"minutes", "cpu_minutes", "steps"}:
        raise KickganError(f"{where}: budget: expected exactly one of {{minutes: M}}, {{cpu_minutes: M}} "
                           f"or {{steps: S}}, got {raw!r}")
    (key, value), = raw.items()
    if key == "steps":
        return None, _positive_int(value, f"{where}: budget.steps"), "wall"
    return _positive_float(value, f"{where}: budget.{key}"), None, "cpu" if key == "cpu_minutes" else "wall"


def _seeds(raw, where: str) -> tuple[int, ...]:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return tuple(range(_positive_int(raw, f"{where}: seeds")))
    if isinstance(raw, list) and raw and all(isinstance(s, int) and s >= 0 for s in raw) and len(set(raw)) == len(raw):
        return tuple(raw)
    raise KickganError(f"{where}: seeds: expected a count or a list of distinct non-negative integers, got {raw!r}")


def _eval(raw, where: str) -> EvalSpec:
    if not isinstance(raw, dict):
        raise KickganError(f"{where}: eval: expected a mapping")
    _no_unknown(raw, {"n", "reference", "train", "checkpoint", "metrics"}, f"{where}: eval")
    checkpoint = str(raw.get("checkpoint", "best"))
    if checkpoint not in ("best", "latest"):
        raise KickganError(f"{where}: eval.checkpoint: expected best or latest, got {checkpoint!r}")
    splits = ("train", "val", "test")
    for key in ("reference", "train"):
        if key in raw and raw[key] not in splits:
            raise KickganError(f"{where}: eval.{key}: expected one of {splits}, got {raw[key]!r}")
    metrics = raw.get("metrics")
    return EvalSpec(
        n=_positive_int(raw.get("n", 256), f"{where}: eval.n"),
        reference=str(raw.get("reference", "test")),
        train=str(raw.get("train", "train")),
        checkpoint=checkpoint,
        metrics=None if metrics is None else _strings(metrics, f"{where}: eval.metrics"),
    )


def _no_unknown(raw: dict, known: set[str], where: str) -> None:
    unknown = sorted(set(map(str, raw)) - known)
    if unknown:
        raise KickganError(f"{where}: unknown option {unknown[0]!r} (expected one of {', '.join(sorted(known))})")


def _strings(raw, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise KickganError(f"{where}: expected a list of strings, got {raw!r}")
    return tuple(raw)


def _positive_int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise KickganError(f"{where}: expected a positive integer, got {value!r}")
    return value


def _positive_float(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise KickganError(f"{where}: expected a positive number, got {value!r}")
    return float(value)
