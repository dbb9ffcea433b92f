"""Test-split scores along training: every kept checkpoint of some runs scored with `kickgan evaluate`,
the step `best.pt` was selected at marked, and a table of how close the selection came to the best.
With `--length 16384` the kicks are scored at the dataset's length, as `kickgan experiment` scores a
run (its table's numbers, baselines included); by default at the model's own (0.51 s for the default).

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python scripts/checkpoint-curves.py RUN [RUN ...] \
        --reference data/open_kicks:test --train data/open_kicks:train --n 256 \
        --figure docs/checkpoint_curves.png --markdown

A run is a `kickgan train` folder trained with `keep_every` (checkpoints/step_NNNNNNN.pt); its
`best.pt` and `latest.pt` are scored too. Each score is cached as RUN/curve/<checkpoint>.json (the
`kickgan evaluate --json` report), so a second call only scores what is new. "Within noise" means
the selected checkpoint's KID is within one KID standard deviation (over the estimator's subsets)
of the best KID among the run's scored checkpoints.

`--val-n 16,64,tv256` also computes, for every checkpoint, the training's selection score (`val/desc_w1`:
mean standardised descriptor distance of N generated kicks to the run's val kicks as its
representation reproduces them) for each N, or with `tvN` against the train and val kicks together,
or with `Nb` over the descriptors and the 4-8 / 8-16 kHz band levels (`val/desc_bands_w1`, full band
only), or with `rawN` against the val kicks as recorded (not through the representation, as the test split is
scored), or with `kidN` the KID of N generated kicks against the val kicks in the aisfx-512 embedding
(`val/kid`, `best_metric: kid`: the score a run with `val_n: N` logs at that step), or with `kdN` its
product with the descriptor score (`val/kid_desc`, `best_metric: kid+descriptors`), or with `kdN@G` the same
under the memorisation guard (`best_min_memorisation: G`: a checkpoint whose N kicks' `val/mem` is below G
ranks after every one that passes), and the table says which kept checkpoint each rule would pick, that
checkpoint's test KID, and each rule's mean regret: how well a selection rule tracks the test split. No test
kick is used.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SCORES = (("kid/aisfx-512", "KID"), ("desc/w1_mean", "descriptor distance"))


def checkpoint_step(path: Path) -> int:
    return int(torch.load(path, map_location="cpu", weights_only=False)["step"])


def score(run: Path, ckpt: Path, args) -> dict:
    """The generated set's results for ``ckpt``, from the cache or from `kickgan evaluate`."""
    return evaluation(run, ckpt, args)["generated"]


def evaluation(run: Path, ckpt: Path, args) -> dict:
    """``kickgan evaluate``'s results for ``ckpt`` (the generated set and the baselines), cached as
    RUN/curve/<checkpoint>[.L<length>].json. ``args``: reference, train (or None), n, length (or None)."""
    out = run / "curve" / f"{ckpt.stem}{f'.L{args.length}' if args.length else ''}.json"
    if not out.is_file() or out.stat().st_mtime < ckpt.stat().st_mtime:
        out.parent.mkdir(exist_ok=True)
        cmd = [sys.executable, "-m", "kickgan", "evaluate", str(ckpt), "--reference", args.reference,
               "--n", str(args.n), "--metrics", "kid,descriptors,memorisation,validity", "--json", str(out), "-q"]
        cmd += ["--train", args.train] if args.train else []
        cmd += ["--length", str(args.length)] if args.length else []
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["results"]


def val_scores(run: Path, ckpt: Path, rules: list[str]) -> dict[str, float]:
    """``{rule: score}`` for ``ckpt``, cached beside its test score. A rule ``N`` is the training's selection
    score (``val/desc_w1``) on N generated kicks against the val kicks; ``Nb`` the same with the upper bands
    (``val/desc_bands_w1``); ``tvN`` the descriptor score against the train and val kicks together (79 on the
    open kicks), all as the run's representation reproduces them; ``kidN`` the training's ``val/kid`` on N
    kicks (``best_metric: kid``), ``kdN`` its ``val/kid_desc`` (``best_metric: kid+descriptors``). The N kicks
    are generated once for every rule on them. As in training, a checkpoint whose N kicks peak above the
    loud guard's limit is never picked (its score is infinite)."""
    from kickgan.train.guards import LOUD_PEAK

    out = run / "curve" / f"{ckpt.stem}.val.json"
    cached = json.loads(out.read_text()) if out.is_file() else {}
    parts = [part for rule in rules if rule.startswith("kd") for part in kd_parts(rule)]
    needed = [rule for rule in dict.fromkeys(rules + parts) if not rule.startswith("kd")]
    missing = [rule for rule in needed if rule not in cached]
    sizes = {parse_rule(rule)[1] for rule in rules}
    if missing or any(f"peak{n}" not in cached for n in sizes):
        cached.update(scored_rules(ckpt, sorted(sizes), missing))
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(cached))
    scores = {rule: combined(rule, cached) if rule.startswith("kd") else cached[rule] for rule in rules}
    return {rule: v if cached[f"peak{parse_rule(rule)[1]}"] <= LOUD_PEAK else float("inf") for rule, v in scores.items()}


GUARD_FAILED = 1e9  # added to a score under a guard it fails: ranked after every passing one, in its own order


def kd_parts(rule: str) -> list[str]:
    """The scores ``kdN`` (``kdN@G``) is made of: ``kidN`` and ``N`` (and ``memN``)."""
    n = parse_rule(rule)[1]
    return [f"kid{n}", str(n)] + ([f"mem{n}"] if "@" in rule else [])


def combined(rule: str, cached: dict) -> float:
    """``kdN``: the training's ``val/kid_desc`` (``best_metric: kid+descriptors``), from the rules ``kidN`` and ``N``;
    ``kdN@G`` the same, plus ``GUARD_FAILED`` where ``memN`` (``val/mem``) is below G (``best_min_memorisation``)."""
    n = parse_rule(rule)[1]
    score = max(cached[f"kid{n}"], 0.0) * cached[str(n)]
    if "@" in rule and not cached[f"mem{n}"] >= float(rule.split("@")[1]):
        score += GUARD_FAILED
    return score


def scored_rules(ckpt: Path, sizes: list[int], rules: list[str]) -> dict[str, float]:
    """``{"peakN": ..., rule: score}``: for each N in ``sizes``, the kicks of seeds ``0..N-1`` generated once,
    their peak, and the ``rules`` on N kicks, scored by the run's own validator (``checkpoint_validator``)
    or, for ``tvN``, against the train and val kicks."""
    from kickgan.sampler import KickSampler
    from kickgan.train.validate import checkpoint_validator

    sampler = KickSampler.from_checkpoint(ckpt)
    validator = checkpoint_validator(sampler, kid=any(rule.startswith(("kid", "mem")) for rule in rules))
    keys = {"": "val/desc_w1", "b": "val/desc_bands_w1", "kid": "val/kid", "mem": "val/mem"}
    tv_ref = train_val_features(sampler, validator) if any(rule.startswith("tv") for rule in rules) else None
    raw_ref = raw_val_features(sampler) if any(rule.startswith("raw") for rule in rules) else None
    scores = {}
    for n in sizes:
        waves = sampler.generate(list(range(n)))
        scores[f"peak{n}"] = float(np.abs(waves).max())
        on_n = [rule for rule in rules if parse_rule(rule)[1] == n]
        measures = validator(None, waves) if any(not rule.startswith("tv") for rule in on_n) else {}
        for rule in on_n:
            prefix, _, bands = parse_rule(rule)
            if prefix in ("tv", "raw"):
                scores[rule] = train_val_score(waves, validator.sr, tv_ref if prefix == "tv" else raw_ref, bands)
            else:
                scores[rule] = measures.get(keys["b" if bands else prefix], float("nan"))
    return scores


def train_val_features(sampler, validator) -> np.ndarray:
    """The selection features (descriptors and upper bands) of the run's train and val kicks, as its
    representation reproduces them: the reference of the ``tvN`` rules."""
    from kickgan.sampler import decode_each
    from kickgan.train.data import load_training_clips
    from kickgan.train.validate import selection_features

    cfg, rep = sampler.cfg, sampler.rep
    train, _ = load_training_clips(cfg.data, validator.sr, cfg.representation.length)
    with torch.no_grad():
        waves = decode_each(rep, rep.encode(torch.from_numpy(train)[:, None])).squeeze(1).float().numpy()
    return np.concatenate([selection_features(waves, validator.sr), selection_features(validator.val_clips, validator.sr)])


def raw_val_features(sampler) -> np.ndarray:
    """The selection features of the run's val kicks as they are (not through the representation): the
    reference of the ``rawN`` rules, which, like the test split's scores, count what the representation loses."""
    from kickgan.train.data import load_training_clips
    from kickgan.train.validate import selection_features

    cfg = sampler.cfg
    _, val = load_training_clips(cfg.data, cfg.representation.sr, cfg.representation.length)
    return selection_features(val, cfg.representation.sr)


def train_val_score(waves: np.ndarray, sr: int, reference: np.ndarray, bands: bool) -> float:
    """Mean standardised W1 of ``waves``' selection features to ``reference`` (descriptors, or with the bands)."""
    from kickgan.audio.descriptors import NAMES
    from kickgan.metrics.descriptors import standardised_w1
    from kickgan.train.validate import selection_features

    w1 = standardised_w1(selection_features(waves, sr), reference)
    return float(np.nanmean(w1 if bands else w1[: len(NAMES)]))


def run_curve(run: Path, args) -> dict:
    """``{"points": [(step, scores)], "best": (step, scores), "latest": (step, scores)}`` for one run."""
    ckpts = run / "checkpoints"
    points = sorted((checkpoint_step(p), score(run, p, args)) for p in ckpts.glob("step_*.pt"))
    curve = {"points": points}
    for name in ("best", "latest"):
        path = ckpts / f"{name}.pt"
        if path.is_file():
            curve[name] = (checkpoint_step(path), score(run, path, args))
    if args.val_n:
        curve["val"] = sorted((checkpoint_step(p), val_scores(run, p, args.val_n)) for p in ckpts.glob("step_*.pt"))
    return curve


def selections(curves: dict[str, dict], rules: list[str]) -> str:
    """Per run and selection rule: the kept checkpoint the rule picks, its test KID and descriptor distance;
    a last row with each rule's mean regret (test KID of its pick minus the run's lowest)."""
    head = ["run", "lowest test KID (step)"] + [f"{rule_name(r)} picks: step, KID, desc" for r in rules]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    regrets = {r: [] for r in rules}
    for name, c in curves.items():
        test = dict(c["points"])
        low_step = min(test, key=lambda s: test[s]["kid/aisfx-512"])
        cells = [name, f"{test[low_step]['kid/aisfx-512']:.3g} ({low_step})"]
        for r in rules:
            step = min(c["val"], key=lambda p: p[1][r])[0]
            regrets[r].append(test[step]["kid/aisfx-512"] - test[low_step]["kid/aisfx-512"])
            cells.append(f"{step}, {test[step]['kid/aisfx-512']:.3g}, {test[step]['desc/w1_mean']:.3g}")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("| mean regret (KID) | | " + " | ".join(f"{np.mean(regrets[r]):.3g}" for r in rules) + " |")
    return "\n".join(lines) + "\n"


def recipes(curves: dict[str, dict], rules: list[str]) -> str:
    """Per row (runs named ``ROW-sN``) and selection (``best.pt`` as the runs chose it, then each rule):
    mean ± sd over the seeds of the selected checkpoints' test KID, descriptor distance, memorisation
    ratio and validity: a recipe is a row's training with a selection rule, so this is its table."""
    def pick(c: dict, rule: str | None) -> dict:
        if rule is None:
            return c["best"][1]
        step = min(c["val"], key=lambda p: p[1][rule])[0]
        return dict(c["points"])[step]

    rows: dict[str, list[dict]] = {}
    for name, c in curves.items():
        rows.setdefault(name.rsplit("-s", 1)[0], []).append(c)
    cols = (("kid/aisfx-512", "KID"), ("desc/w1_mean", "descriptor distance"),
            ("mem/nn_ratio_median/aisfx-512", "memorisation"), ("valid/ok", "validity"))
    lines = ["| row | selection | seeds | " + " | ".join(label for _, label in cols) + " |", "|" + " --- |" * (3 + len(cols))]
    for row, cs in rows.items():
        for rule in [None, *rules]:
            if rule is None and not all("best" in c for c in cs):
                continue
            picked = [pick(c, rule) for c in cs]
            cells = [f"{np.mean([p[k] for p in picked]):.3g} ± {np.std([p[k] for p in picked], ddof=1) if len(picked) > 1 else 0:.2g}"
                     for k, _ in cols]
            lines.append(f"| {row} | {'best.pt' if rule is None else rule_name(rule)} | {len(cs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parse_rule(rule: str) -> tuple[str, int, bool]:
    """``"tv256"`` -> ``("tv", 256, False)``; ``"64b"`` -> ``("", 64, True)``; ``"kid64"`` -> ``("kid", 64, False)``:
    reference, kicks, with the bands."""
    for prefix in ("kid", "mem"):
        if rule.startswith(prefix):
            return prefix, int(rule[3:]), False
    if rule.startswith("kd"):
        return "kd", int(rule[2:].split("@")[0]), False
    if rule.startswith("raw"):
        return "raw", int(rule[3:]), False
    bands = rule.endswith("b")
    core = rule[:-1] if bands else rule
    return ("tv", int(core[2:]), bands) if core.startswith("tv") else ("", int(core), bands)


def rule_name(rule: str) -> str:
    prefix, n, bands = parse_rule(rule)
    if prefix in ("kid", "kd"):
        guard = f", val/mem >= {rule.split('@')[1]}" if "@" in rule else ""
        return f"KID{' x descriptors' if prefix == 'kd' else ''} of {n} kicks vs val{guard}"
    reference = {"tv": "train+val", "raw": "val as recorded"}.get(prefix, "val")
    return f"{n} kicks vs {reference}{' with bands' if bands else ''}"


def within_noise(curve: dict) -> bool | None:
    if "best" not in curve:
        return None
    scored = curve["points"] + [curve["best"]] + ([curve["latest"]] if "latest" in curve else [])
    lowest = min(s["kid/aisfx-512"] for _, s in scored)
    best = curve["best"][1]
    return best["kid/aisfx-512"] - lowest <= best.get("kid_std/aisfx-512", 0.0)


def markdown(curves: dict[str, dict]) -> str:
    head = ["run", "selected step", "selected KID", "selected desc", "lowest KID (step)", "within noise",
            "last step", "last KID", "last desc"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, c in curves.items():
        scored = c["points"] + [c[k] for k in ("best", "latest") if k in c]
        low_step, low = min(scored, key=lambda p: p[1]["kid/aisfx-512"])
        best, last = c.get("best"), c.get("latest")
        cells = [name, *(cell(best) if best else ["-", "-", "-"]), f"{low['kid/aisfx-512']:.3g} ({low_step})",
                 {True: "yes", False: "no", None: "-"}[within_noise(c)], *(cell(last) if last else ["-", "-", "-"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def cell(point: tuple[int, dict]) -> list[str]:
    step, s = point
    return [str(step), f"{s['kid/aisfx-512']:.3g} ± {s.get('kid_std/aisfx-512', 0):.2g}", f"{s['desc/w1_mean']:.3g}"]


def figure(curves: dict[str, dict], path: Path) -> None:
    fig = Figure(figsize=(11, 4), layout="constrained")
    axes = [fig.add_subplot(1, len(SCORES), i + 1) for i in range(len(SCORES))]
    for i, (name, c) in enumerate(curves.items()):
        for ax, (key, label) in zip(axes, SCORES):
            points = sorted(c["points"] + ([c["latest"]] if "latest" in c else []))
            ax.plot([p[0] for p in points], [p[1][key] for p in points], color=f"C{i % 10}", lw=1, marker=".",
                    label=name)
            if "best" in c:
                ax.plot([c["best"][0]], [c["best"][1][key]], color=f"C{i % 10}", marker="*", ms=12, ls="none")
            ax.set(xlabel="generator step", ylabel=label, title=f"{label} on the test split (star: best.pt)")
    axes[0].legend(fontsize=7)
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--train")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--length", type=int, help="score the kicks at this length, as kickgan experiment does "
                        "(the dataset's: 16384 for the open kicks; default: the model's own)")
    parser.add_argument("--figure", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print the selection table")
    parser.add_argument("--val-n", type=lambda text: [n.strip() for n in text.split(",")], default=[],
                        help="also replay selection rules on each kept checkpoint: N kicks against the val kicks, "
                             "tvN against the train and val kicks, kidN: KID of N kicks vs val, kdN: KID x descriptors, kdN@G: with the memorisation guard G, rawN: N kicks vs the val "
                             "kicks as recorded; e.g. 16,64,kid64,kd64,kd64@0.95")
    args = parser.parse_args()
    curves = {run.name: run_curve(run, args) for run in args.runs}
    if args.figure:
        figure(curves, args.figure)
    if args.markdown:
        print(markdown(curves))
        if args.val_n:
            print(selections(curves, args.val_n))
            print(recipes(curves, args.val_n))


if __name__ == "__main__":
    main()
