"""``run_experiment``: train every config x seed under one budget, score each run, write the report.

Layout of the output folder ``OUT`` (``reports/<name>`` by default)::

    OUT/experiment.json            the record every table and figure is drawn from
    OUT/runs/<label>-s<seed>/      the trainer's run folder (checkpoints, stats.jsonl, previews)
    OUT/runs/<label>-s<seed>/done.json   written atomically after the run is scored: the run's result
    OUT/reference.json             real-set summaries, baselines and round-trip ceilings (computed once)
    OUT/audio/<label>/*.wav, OUT/audio/real/*.wav   the gallery
    OUT/cache/                     features of the real sets, by content hash
    OUT/.gitignore                 keeps runs/ (checkpoints) and cache/ out of version control

Resuming: a run with ``done.json`` is skipped; one with ``checkpoints/latest.pt`` but no
``done.json`` continues with the trainer's resume (or, if its budget is already spent, is only
scored); one without a checkpoint starts again. A ``done.json`` written under another config,
budget or evaluation is refused rather than silently mixed in; an option added to kickgan since
the run finished counts as the same config while it keeps its default.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import MISSING, asdict, fields, is_dataclass
from pathlib import Path
from typing import Callable

from kickgan.checkpoints import load_checkpoint
from kickgan.config import TrainConfig, load_config
from kickgan.data.dataset import read_info, read_manifest
from kickgan.errors import KickganError
from kickgan.experiment import evaluation
from kickgan.experiment.pool import run_in_pool
from kickgan.experiment.record import budget_text, environment, now, rounded, save_record
from kickgan.experiment.report import write_report
from kickgan.experiment.spec import ExperimentSpec, ModelEntry
from kickgan.io import read_json, write_json, write_text
from kickgan.train import train as train_run

DONE = "done.json"
MAX_STEPS = 10**9  # a wall-clock budget stops the run, not a step count
LICENCE_DOC = Path("docs/data.md")


def run_config(entry: ModelEntry, spec: ExperimentSpec, seed: int, data: str) -> TrainConfig:
    """The training config of one run: the entry's file, the experiment's and the entry's overrides,
    then the budget, seed, data and name, which the experiment fixes for every run."""
    if spec.minutes is not None:
        budget = [f"time_budget_minutes={spec.minutes}", f"steps={MAX_STEPS}", f"budget_clock={spec.clock}"]
    else:
        budget = ["time_budget_minutes=0", f"steps={spec.steps}"]
    fixed = [*budget, f"seed={seed}", f"data={data}", f"name={entry.name}"]
    return load_config(entry.config, [*spec.set, *entry.set, *fixed])


def run_experiment(
    spec: ExperimentSpec, out: str | Path, *, progress: bool = True, train_fn: Callable = train_run,
    log: Callable[[str], None] = print, jobs: int = 1,
) -> Path:
    """Run (or finish) the experiment ``spec`` into ``out`` and write its report; return ``out``.

    ``train_fn`` is :func:`kickgan.train.train` (replaceable so tests can count its calls).
    ``jobs`` > 1 trains and scores that many runs at once, each in its own process (one torch
    thread each unless the run's config sets ``threads``), without progress bars.
    """
    out = Path(out)
    data = spec.data
    for root in {data, *(e.data for e in spec.configs if e.data)}:
        read_info(root)  # a missing or incomplete dataset is refused before any work
    plans = [(entry, seed, run_config(entry, spec, seed, entry.data or data)) for entry in spec.configs
             for seed in spec.seeds]
    for entry, seed, cfg in plans:  # refuse stale results before any work
        _finished(_run_dir(out, entry, seed), cfg, spec)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / ".gitignore", "runs/\ncache/\n")
    reference = evaluation.reference_summary(spec, out, [cfg for _, _, cfg in plans], log, progress)
    tasks = [(entry, seed, cfg, spec, out, f"[{i + 1}/{len(plans)}] {entry.name} seed {seed}")
             for i, (entry, seed, cfg) in enumerate(plans)]
    if jobs > 1:
        runs = run_in_pool(tasks, jobs)
    else:
        runs = [_run_one(*task, progress, train_fn, log) for task in tasks]
    record = {
        "name": spec.name,
        "created": _created(out),
        "spec": spec.to_dict(),
        "budget": spec.budget(),
        **environment(evaluation.device_name(), threads=_run_threads(plans, jobs), jobs=jobs),
        "dataset": dataset_summary(data),
        "models": [evaluation.model_info(entry, plans_cfg) for entry, plans_cfg in _first_configs(plans)],
        "runs": runs,
        **reference,
    }
    save_record(out, rounded(record))
    write_report(out)
    log(f"report written to {out}")
    return out


def describe_plan(spec: ExperimentSpec, out: str | Path) -> str:
    """The runs of ``spec`` and what a run of the experiment would do with each (for ``--dry-run``)."""
    out = Path(out)
    lines = [f"experiment {spec.name}: data {spec.data}, budget {_budget_text(spec)} per run, "
             f"seeds {', '.join(map(str, spec.seeds))}, {spec.eval.n} kicks scored per run, report in {out}"]
    for entry in spec.configs:
        cfg = run_config(entry, spec, spec.seeds[0], entry.data or spec.data)
        lines.append(f"  {entry.name}: {entry.config} {' '.join(entry.set)}".rstrip()
                     + (f" on {entry.data}" if entry.data else "")
                     + f" ({cfg.model.arch}, {cfg.representation.kind}"
                     + (f", loss {cfg.loss.kind})" if hasattr(cfg.loss, "kind") else ")"))  # a GAN's loss kind
        for seed in spec.seeds:
            lines.append(f"    seed {seed}: {_state(_run_dir(out, entry, seed))}")
    return "\n".join(lines)


def _state(run_dir: Path) -> str:
    if (run_dir / DONE).is_file():
        return "done (skipped)"
    if (run_dir / "checkpoints" / "latest.pt").is_file():
        return "resume"
    return "new"


def _run_dir(out: Path, entry: ModelEntry, seed: int) -> Path:
    return out / "runs" / f"{entry.name}-s{seed}"


def _fingerprint(cfg: TrainConfig, spec: ExperimentSpec) -> dict:
    """What a finished run depends on, as read back from JSON (lists, not tuples)."""
    return json.loads(json.dumps({"config": cfg.to_dict(), "eval": asdict(spec.eval), "gallery": spec.gallery}))


def _config_defaults(obj) -> dict:
    """Each option of a config (dataclass) ``obj`` -> its default, as JSON reads it back (nested sections
    recursively); options without a default are left out."""
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            out[f.name] = _config_defaults(value)
        elif f.default is not MISSING or f.default_factory is not MISSING:
            default = f.default if f.default is not MISSING else f.default_factory()
            out[f.name] = json.loads(json.dumps(default))
    return out


def _same_run(stored, current, defaults) -> bool:
    """Whether a stored fingerprint describes the run ``current`` describes. An option the stored one
    lacks (added to kickgan after the run finished) matches when the current value is its default."""
    if not (isinstance(stored, dict) and isinstance(current, dict)):
        return stored == current
    defaults = defaults if isinstance(defaults, dict) else {}
    for key, value in current.items():
        if key in stored:
            if not _same_run(stored[key], value, defaults.get(key)):
                return False
        elif key not in defaults or isinstance(defaults[key], dict) or defaults[key] != value:
            return False
    return set(stored) <= set(current)


def _finished(run_dir: Path, cfg: TrainConfig, spec: ExperimentSpec) -> dict | None:
    """The result in ``RUN/done.json``; ``None`` if the run has not finished; an error if it is stale."""
    done = run_dir / DONE
    if not done.is_file():
        return None
    marker = read_json(done)
    if not _same_run(marker.get("fingerprint"), _fingerprint(cfg, spec), {"config": _config_defaults(cfg)}):
        raise KickganError(
            f"{done}: finished under another config, budget or evaluation; "
            f"remove {run_dir} to redo it, or choose another --out"
        )
    return marker["result"]


def _run_one(entry, seed, cfg, spec, out: Path, where: str, progress: bool, train_fn, log) -> dict:
    run_dir = _run_dir(out, entry, seed)
    result = _finished(run_dir, cfg, spec)
    if result is not None:
        log(f"{where}: done, skipped")
        return result
    latest = run_dir / "checkpoints" / "latest.pt"
    if latest.is_file() and _budget_spent(latest, cfg):
        log(f"{where}: trained, scoring")
    elif latest.is_file():
        log(f"{where}: resuming {run_dir}")
        train_fn(cfg, data=cfg.data, resume=run_dir, progress=progress)
    else:
        if run_dir.exists():  # started but killed before its first checkpoint
            shutil.rmtree(run_dir)
        log(f"{where}: training ({_budget_text(spec)})")
        train_fn(cfg, data=cfg.data, out=run_dir, progress=progress)
    result = evaluation.score_run(run_dir, cfg, spec, out, seed == spec.seeds[0], log, progress)
    result = rounded({"model": entry.name, "seed": seed, **result})
    write_json(run_dir / DONE, {"fingerprint": _fingerprint(cfg, spec), "result": result, "finished": now()})
    return result


def _run_threads(plans: list, jobs: int) -> int | None:
    """The torch threads every run trained with, when one number says it: the configs' ``threads``
    if they all set the same, else 1 for parallel jobs; ``None`` (this process's) otherwise."""
    threads = {cfg.threads for _, _, cfg in plans}
    if len(threads) == 1 and threads != {0}:
        return threads.pop()
    return 1 if jobs > 1 and threads == {0} else None


def _budget_spent(latest: Path, cfg: TrainConfig) -> bool:
    """Whether the run in ``latest`` has finished training (its steps done or its time spent)."""
    state = load_checkpoint(latest)
    budget = cfg.time_budget_minutes * 60
    return int(state["step"]) >= cfg.steps or (budget > 0 and float(state.get("train_seconds", 0.0)) >= budget)


def _budget_text(spec: ExperimentSpec) -> str:
    return budget_text({"budget": spec.budget()})


def _first_configs(plans: list) -> list[tuple[ModelEntry, TrainConfig]]:
    """Each entry once, with the config of its first seed (the seeds differ only in ``seed``)."""
    seen: dict[str, tuple] = {}
    for entry, _, cfg in plans:
        seen.setdefault(entry.name, (entry, cfg))
    return list(seen.values())


def _created(out: Path) -> str:
    path = out / "experiment.json"
    if path.is_file():
        previous = read_json(path)
        if isinstance(previous, dict) and previous.get("created"):
            return previous["created"]
    return now()


def dataset_summary(root: str | Path, licence_doc: str | Path = LICENCE_DOC) -> dict:
    """Counts per split and per kit, licences and preprocessing options.

    A kit's licence comes from its manifest records (``licence``), else from the kit table of
    ``licence_doc`` (a Markdown table with ``kit`` and ``licence`` columns), else it is unknown.
    """
    info = read_info(root)
    kept = [r for r in read_manifest(root) if r.get("status") == "kept" and r.get("split")]
    kits: dict[str, dict[str, int]] = {}
    licences: dict[str, str] = {}
    for rec in kept:
        counts = kits.setdefault(str(rec.get("kit")), {})
        counts[rec["split"]] = counts.get(rec["split"], 0) + 1
        licence = rec.get("licence") or rec.get("license")
        if licence:
            licences[str(rec.get("kit"))] = str(licence)
    documented = licences_from_doc(licence_doc)
    licences.update({kit: documented[kit] for kit in kits if kit not in licences and kit in documented})
    return {
        "path": str(root),
        "sr": info["sr"],
        "length": info["length"],
        "split_by": info.get("split_by"),
        "splits": info.get("splits", {}),
        "kits": kits,
        "licences": licences,
        "preprocessing": {k: info[k] for k in ("sr", "length", "normalize", "seed") if k in info},
    }


def licences_from_doc(path: str | Path) -> dict[str, str]:
    """Kit -> licence from the first Markdown table in ``path`` with ``kit`` and ``licence`` columns."""
    path = Path(path)
    if not path.is_file():
        return {}
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("|")]
    for i, header in enumerate(rows):
        if "kit" in header and "licence" in header:
            kit, licence = header.index("kit"), header.index("licence")
            body = [r for r in rows[i + 2 :] if len(r) == len(header)]
            return {r[kit]: r[licence] for r in body}
    return {}
