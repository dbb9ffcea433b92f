"""``methods.md``: the paper's Methodology, written from the same ``experiment.json`` as the results."""

from __future__ import annotations

from pathlib import Path

from kickgan.experiment import results
from kickgan.experiment.record import budget_text, hardware_text
from kickgan.io import write_text

# training options worth a column in the hyperparameter table: (dotted key, header)
HYPER = (
    ("representation.kind", "representation"),
    ("model.arch", "arch"),
    ("model.width", "width"),
    ("model.upsample", "upsample"),
    ("loss.kind", "loss"),
    ("loss.gp_lambda", "GP lambda"),
    ("loss.durall_weight", "Durall weight"),
    ("loss.augment", "DiffAugment"),
    ("optim.lr_g", "lr G"),
    ("optim.lr_d", "lr D"),
    ("optim.betas", "betas"),
    ("optim.n_critic", "D steps / G step"),
    ("batch_size", "batch"),
    ("ema_decay", "EMA"),
)

# what a run trains on and how its best.pt is chosen (issue 14's recipes), beside the hyperparameters
RECIPE = (
    ("pitch_shifts", "pitch-shifted copies (semitones)"),
    ("loss.lecam_weight", "LeCam weight"),
    ("restarts", "restarts"),
    ("best_metric", "best.pt chosen by"),
    ("val_n", "kicks scored (0: the previews)"),
    ("best_min_memorisation", "memorisation guard"),
)

NETWORK_TITLES = {"G": "Generator", "D": "Discriminator"}


def methods_markdown(record: dict) -> str:
    """The Methodology section as Markdown."""
    parts = [f"# Methods: {record['name']}\n", _dataset(record["dataset"]), _architectures(record),
             _training(record), _evaluation(record), _environment(record)]
    return "\n".join(parts)


def write_methods(record: dict, folder: str | Path) -> Path:
    path = Path(folder) / "methods.md"
    write_text(path, methods_markdown(record))
    return path


def _dataset(ds: dict) -> str:
    splits = ds.get("splits", {})
    lines = ["## Dataset\n",
             f"`{ds.get('path', '?')}`: {sum(splits.values())} kicks at {ds.get('sr', '?')} Hz, "
             f"{ds.get('length', '?')} samples each, split by {ds.get('split_by', '?')} "
             f"({', '.join(f'{k} {v}' for k, v in splits.items())}).\n"]
    kits = ds.get("kits", {})
    if kits:
        names = list(splits) or ["train", "val", "test"]
        licences = ds.get("licences", {})
        lines += ["| kit | " + " | ".join(names) + " | licence |",
                  "| --- | " + " | ".join("---:" for _ in names) + " | --- |"]
        for kit, counts in sorted(kits.items()):
            lines.append(f"| {kit} | " + " | ".join(str(counts.get(s, 0)) for s in names)
                         + f" | {licences.get(kit) or 'see docs/data.md'} |")
        lines.append("")
    prep = ds.get("preprocessing", {})
    if prep:
        lines.append("Preprocessing (`kickgan data build`): mix-down to mono, resampling with soxr, DC removal, "
                     "onset alignment, cut or pad to a fixed length with a short fade-out, normalisation; "
                     "exact and near duplicates dropped. Options: "
                     + ", ".join(f"{k} = {v}" for k, v in prep.items()) + ".\n")
    return "\n".join(lines)


def _architectures(record: dict) -> str:
    lines = ["## Architectures\n"]
    for model in record["models"]:
        cfg = model.get("config", {})
        lines.append(f"### {model['name']}\n")
        kind, arch = _get(cfg, "representation.kind"), _get(cfg, "model.arch")
        lines.append(f"Representation `{kind}`, architecture `{arch}`.\n")
        same = next((m["name"] for m in record["models"][:record["models"].index(model)]
                     if m.get("layers") and m.get("layers") == model.get("layers")), None)
        if same:  # an ablation that changes training, not layers: one table is enough
            lines.append(f"The same layers as `{same}`.\n")
            continue
        for net, rows in model.get("layers", {}).items():  # the model family's networks
            if not rows:
                continue
            title = NETWORK_TITLES.get(net, net)
            total = model.get("params", {}).get(net, sum(r[2] for r in rows))
            lines += [f"{title} (input {list(model.get('inputs', {}).get(net, []))}, {total:,} parameters):\n",
                      "| block | output shape | parameters |", "| --- | --- | ---: |"]
            lines += [f"| {name} | {list(shape)} | {params:,} |" for name, shape, params in rows]
            lines.append("")
    return "\n".join(lines)


def _training(record: dict) -> str:
    budget = budget_text(record)
    seeds = record["spec"]["seeds"]
    lines = ["## Training\n",
             f"Every configuration trains with the same budget, **{budget} per run**, from seeds "
             f"{', '.join(map(str, seeds))}; the checkpoint scored is `{record['spec']['eval']['checkpoint']}`. "
             "Sampling uses the exponential moving average of G's weights.\n",
             "| model | " + " | ".join(h for _, h in HYPER) + " |",
             "| --- | " + " | ".join("---" for _ in HYPER) + " |"]
    for model in record["models"]:
        cfg = model.get("config", {})
        lines.append(f"| {model['name']} | " + " | ".join(_cell(_get(cfg, k)) for k, _ in HYPER) + " |")
    lines.append("")
    lines += _recipe_table(record["models"])
    runs = record["runs"]
    if runs:
        lines.append("Steps reached per run: " + "; ".join(
            f"{r['model']} seed {r['seed']}: {r.get('steps', '?')} steps in {r.get('train_seconds', 0) / 60:.1f} min"
            for r in runs) + ".\n")
    return "\n".join(lines)


def _recipe_table(models: list[dict]) -> list[str]:
    """The training data and checkpoint selection of each model, when the record's configs hold them."""
    if not any(_get(m.get("config", {}), k) is not None for m in models for k, _ in RECIPE):
        return []
    lines = ["What each model trains on, and how its scored checkpoint is chosen (against the val kits):\n",
             "| model | " + " | ".join(h for _, h in RECIPE) + " |", "| --- | " + " | ".join("---" for _ in RECIPE) + " |"]
    for model in models:
        cfg = model.get("config", {})
        lines.append(f"| {model['name']} | " + " | ".join(_cell(_get(cfg, k)) for k, _ in RECIPE) + " |")
    return lines + [""]


def _evaluation(record: dict) -> str:
    ev = record["spec"]["eval"]
    lines = ["## Evaluation\n",
             f"Each run's checkpoint generates {ev['n']} kicks (seeds 0 to {ev['n'] - 1}), scored against the "
             f"`{ev['reference']}` split, with the `{ev['train']}` split for memorisation. Two baselines are scored "
             "the same way: the reference split against itself in halves (the real floor) and the training split "
             "against the reference (what copying the training set would score). Each spectrogram "
             "representation is also scored on the real reference kicks encoded and decoded (the ceiling its "
             "models can reach, phase reconstruction included).\n",
             results.column_notes(record)]
    notes = record.get("metric_notes", {})
    if notes:
        lines += ["Metrics (kickgan.metrics registry):\n"] + [f"- `{k}`: {v}" for k, v in notes.items()] + [""]
    return "\n".join(lines)


def _environment(record: dict) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in record["versions"].items())
    return f"## Environment\n\n{hardware_text(record)}; {record['hardware'].get('platform', '')}.\n\n{versions}.\n"


def _get(cfg: dict, dotted: str):
    node = cfg
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _cell(value) -> str:
    if value is None or (isinstance(value, (str, list, tuple)) and not value):
        return "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)
