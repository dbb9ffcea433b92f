"""Put a trained model into a bundled-model folder: its generator file, fitted controls, the
steering measurement, and its entry in ``models.json`` (training data, config, steps, scores).

``kickgan models add CKPT --name NAME --data DIR --evaluation EVAL.json`` is the command;
``scripts/make-bundled-model.sh`` the whole recipe of the shipped model. The card's tables
(:func:`card_tables`) are made from the entry, so card, index, weights and controls agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kickgan import bundled
from kickgan.errors import KickganError
from kickgan.io import read_json, write_json, write_text

CARD_BEGIN = "<!-- measured: kickgan models card --update writes from here -->"
CARD_END = "<!-- end of measured -->"
STEER_AMOUNTS = tuple(np.linspace(-2.0, 2.0, 9))  # as tests/test_producer_controls.py and issue 12
STEER_SEEDS = tuple(range(8))
BASELINES = ("generated", "real_floor", "copy_train")
# score -> (label in the card, tolerance: a fresh evaluation agrees within max(abs, rel * |value|))
CARD_SCORES = {
    "fd/aisfx-512": ("FD (aisfx-512)", 0.0, 0.02),
    "kid/aisfx-512": ("KID (aisfx-512)", 0.002, 0.02),
    "desc/w1_mean": ("descriptor distance (mean W1)", 0.0, 0.02),
    "desc/w1/sub_ratio": ("band energy: sub (W1)", 0.0, 0.02),
    "desc/w1/lowmid_ratio": ("band energy: low-mid (W1)", 0.0, 0.02),
    "desc/w1/high_ratio": ("band energy: high (W1)", 0.0, 0.02),
    "mem/nn_ratio_median/logmel": ("memorisation ratio (log-mel; copies near 0)", 0.0, 0.02),
    "mem/near_copies": ("near copies of training kicks", 0.0, 0.0),
    "art/upper_band_abs_db": ("upper-band deviation (dB)", 0.0, 0.02),
}


def steering_rho(sampler, record: dict) -> dict[str, float]:
    """Per control, Spearman rho of the requested amount (9 steps over +-2) with the control's own
    descriptor on the audio, averaged over 8 seeds: the measurement of tests/test_producer_controls.py."""
    import scipy.stats

    from kickgan.producer import controls

    out = {}
    for k, name in enumerate(controls.CONTROLS):
        if record["controls"][name]["step"] is None and record["controls"][name]["shape_step"] is None:
            out[name] = None
            continue
        clips = np.concatenate([controls.render(sampler, sampler.latents([seed]), {name: a}, record)
                                for seed in STEER_SEEDS for a in STEER_AMOUNTS])
        desc = controls.measure_clips(clips, sampler.sr).reshape(len(STEER_SEEDS), len(STEER_AMOUNTS), -1)
        out[name] = float(np.mean([scipy.stats.spearmanr(STEER_AMOUNTS, d[:, k]).statistic for d in desc]))
    return out


def scores_of(report: dict) -> dict:
    """The numeric results of a ``kickgan evaluate`` report, per baseline, with what was scored."""
    gen = report["generated"]
    scores = {"n": gen["n"], "evaluated": f"{gen['n']} kicks (seeds 0-{gen['n'] - 1}) against {report['reference']['source']} "
                           f"({report['reference']['n']} kicks), train {(report.get('train') or {}).get('source')}"}
    for baseline in BASELINES:
        row = report["results"].get(baseline, {})
        scores[baseline] = {k: v for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return scores


def add_model(src: str | Path, name: str, data: str | Path, evaluation: dict, *, folder: str | Path | None = None,
              default: bool = True, n_fit: int | None = None) -> dict:
    """Export ``src`` into ``FOLDER/NAME.pt``, fit its controls beside it (``n_fit`` kicks, default
    the producer's), measure steering, and write its entry (first, as the default, with ``default``)
    into ``FOLDER/models.json``. ``evaluation``: the ``kickgan evaluate --json`` report of the same
    weights (its checkpoint hash must be ``src``'s or the export's). Returns the entry."""
    from kickgan.experiment.runner import dataset_summary
    from kickgan.producer import controls
    from kickgan.sampler import KickSampler
    from kickgan.checkpoints import export_generator, file_sha256, load_generator, resolve_checkpoint

    folder = Path(folder or bundled.FOLDER)
    src = resolve_checkpoint(src)
    dst = folder / f"{name}.pt"
    if src.resolve() != dst.resolve():
        export_generator(src, dst)
    digest, scored = file_sha256(dst), evaluation["generated"].get("checkpoint_hash")
    if scored not in (digest, file_sha256(src), load_generator(dst).get("source_hash")):
        raise KickganError(f"evaluation: it scored checkpoint {str(scored)[:12]}, not {src} ({digest[:12]})")
    sampler = KickSampler.from_checkpoint(dst)
    record = controls.load_or_fit(sampler, n_fit or controls.N_FIT)
    state = load_generator(dst)
    entry = {
        "name": name, "file": dst.name, "sha256": digest, "controls": controls.controls_path(sampler).name,
        "card": _card_name(folder, name), "source_hash": state.get("source_hash"), "config": state["config"].get("name"),
        "steps": int(state["step"]), "sr": sampler.sr, "length": sampler.length,
        "training_data": data_line(dataset_summary(data)), "data": dataset_summary(data),
        "scores": scores_of(evaluation),
        "steering_rho": steering_rho(sampler, record),
        "estimate_rho": {k: c["rho"] for k, c in record["controls"].items()},
        "methods": {k: c["method"] for k, c in record["controls"].items()},
        "latent_rho": {k: c["latent_rho"] for k, c in record["controls"].items()},
    }
    _write_entry(folder, entry, default)
    return entry


def remeasure_steering(entry: dict, folder: str | Path | None = None) -> dict:
    """``entry`` with its ``steering_rho`` measured afresh on its shipped weights and controls (read,
    never refitted), written back into the folder's ``models.json`` in its place."""
    import torch

    from kickgan.producer import controls
    from kickgan.sampler import KickSampler

    folder = Path(folder or bundled.FOLDER)
    sampler = KickSampler.from_checkpoint(bundled.checkpoint(entry["name"], folder))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the producer commands run, and as tests/test_bundled.py measures it
    try:
        entry = {**entry, "steering_rho": steering_rho(sampler, controls.load_or_fit(sampler))}
    finally:
        torch.set_num_threads(threads)
    index = bundled.read_index(folder)
    index["models"] = [entry if e["name"] == entry["name"] else e for e in index["models"]]
    write_json(folder / bundled.INDEX, index)
    return entry


def data_line(summary: dict) -> str:
    """One line: the training kits and kicks by licence, and what the other splits were used for."""
    by_licence: dict[str, list[int]] = {}
    for kit, counts in summary["kits"].items():
        if counts.get("train"):
            licence = summary["licences"].get(kit, "unknown").split(" (")[0]
            kits_kicks = by_licence.setdefault(licence, [0, 0])
            kits_kicks[0], kits_kicks[1] = kits_kicks[0] + 1, kits_kicks[1] + counts["train"]
    parts = ", ".join(f"{lic}: {k} kit(s), {n} kicks" for lic, (k, n) in sorted(by_licence.items(), key=lambda x: -x[1][1]))
    splits = summary.get("splits", {})
    return (f"{Path(summary['path']).name}: {splits.get('train', 0)} training kicks ({parts}); "
            f"val {splits.get('val', 0)} kicks chose the checkpoint; test {splits.get('test', 0)} kicks scored it")


def _card_name(folder: Path, name: str) -> str:
    """The card file of model ``name``: the one its entry has, ``MODEL_CARD.md`` for a folder's first
    model, else ``NAME.card.md`` (each model's card has its own measured section)."""
    index = bundled.read_index(folder) if (folder / bundled.INDEX).is_file() else {"models": []}
    cards = {e["name"]: e.get("card") for e in index["models"]}
    if cards.get(name):
        return cards[name]
    return "MODEL_CARD.md" if not set(cards) - {name} else f"{name}.card.md"


def _write_entry(folder: Path, entry: dict, default: bool) -> None:
    path = folder / bundled.INDEX
    index = bundled.read_index(folder) if path.is_file() else {"format": bundled.FORMAT, "default": None, "models": []}
    others = [e for e in index["models"] if e["name"] != entry["name"]]
    index["models"] = [entry] + others if default else others + [entry]
    if default or not index.get("default"):
        index["default"] = entry["name"]
    write_json(path, index)


def card_tables(entry: dict) -> str:
    """The Markdown tables of a model card: scores against the baselines, and the controls."""
    return scores_table(entry["scores"]) + "\n" + controls_table(entry)


def scores_table(scores: dict) -> str:
    """The card's scores (:func:`scores_of`) beside the two baselines, with their tolerance, in Markdown."""
    lines = [f"Scores on the test split ({scores['evaluated']}):", "",
             "| score | this model | real floor (test vs test) | copy the training set | tolerance |",
             "| --- | ---: | ---: | ---: | --- |"]
    for key, (label, atol, rtol) in CARD_SCORES.items():
        cells = [_num(scores.get(b, {}).get(key)) for b in BASELINES]
        lines.append(f"| {label} (`{key}`) | " + " | ".join(cells) + f" | ±max({atol:g}, {rtol:.0%}) |")
    return "\n".join(lines) + "\n"


def controls_table(entry: dict) -> str:
    """Per control, the steering measurement and how its estimate tracks its descriptor, in Markdown."""
    lines = ["| control | method | steering rho (9 steps over ±2, 8 seeds) | latent walk's rho (fit check) "
             "| estimate vs descriptor rho (fitted kicks) |", "| --- | --- | ---: | ---: | ---: |"]
    for name, rho in entry["steering_rho"].items():
        lines.append(f"| {name} | {entry.get('methods', {}).get(name, 'latent')} | {_num(rho)} "
                     f"| {_num(entry.get('latent_rho', {}).get(name))} | {_num(entry['estimate_rho'].get(name))} |")
    return "\n".join(lines) + "\n"


def update_card(entry: dict, folder: str | Path | None = None) -> Path:
    """Replace the measured part of the model's card (between ``CARD_BEGIN`` and ``CARD_END``) with
    the hash, steps and tables of its index ``entry``; the prose around it is kept."""
    path = Path(folder or bundled.FOLDER) / entry["card"]
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text.count(CARD_BEGIN) != 1 or text.count(CARD_END) != 1 or text.index(CARD_BEGIN) > text.index(CARD_END):
        raise KickganError(f"{path}: needs one '{CARD_BEGIN}' line and one '{CARD_END}' line after it")
    head, rest = text.split(CARD_BEGIN)
    measured = (f"{CARD_BEGIN}\nWeights `{entry['file']}`, sha256 `{entry['sha256']}`, {entry['config']} after "
                f"{entry['steps']} steps; controls `{entry['controls']}`.\n\n{card_tables(entry)}")
    write_text(path, head + measured + CARD_END + rest.split(CARD_END, 1)[1])
    return path


def check_scores(entry: dict, report: dict) -> list[str]:
    """The card scores of ``entry`` that a fresh ``kickgan evaluate`` ``report`` does not reproduce
    within their tolerance, each as a line (empty: all reproduced)."""
    fresh, bad = scores_of(report), []
    for baseline in BASELINES:
        for key, (_, atol, rtol) in CARD_SCORES.items():
            old, new = entry["scores"].get(baseline, {}).get(key), fresh.get(baseline, {}).get(key)
            if old is None:
                continue
            if new is None or abs(new - old) > max(atol, rtol * abs(old)):
                bad.append(f"{baseline} {key}: card {old:.4g}, fresh {new if new is None else f'{new:.4g}'}")
    return bad


def read_evaluation(path: str | Path) -> dict:
    """A ``kickgan evaluate --json`` report."""
    report = read_json(path)
    if not isinstance(report, dict) or "results" not in report or "generated" not in report:
        raise KickganError(f"{path}: not a kickgan evaluate --json report")
    return report


def _num(value) -> str:
    return "-" if value is None else f"{value:.3g}"
