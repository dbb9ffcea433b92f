"""The restarts pilot of issue 14 (docs/training.md, "Restarts"): short runs named ``sS-kK`` (seed S's
restart K, trained with seed 1000 S + K), each `best.pt` scored on the test split; per seed, the run a
`restarts` run keeps (the lowest validation score of all its segments' `best.pt`), and the recipe's
mean ± sd over seeds. A figure plots each run's validation score against its test KID.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python scripts/restarts-pilot.py runs/restarts/s*-k* \
        --reference data/open_kicks:test --train data/open_kicks:train --n 256 --figure docs/restarts_pilot.png

The test scores are scripts/checkpoint-curves.py's (`kickgan evaluate --json` reports cached as
RUN/curve/best.json, shared with it). "desc w/o attack" is the descriptor distance without its
attack-time term (docs/training.md explains why it is shown). `--rule kd64@0.95` adds the pick of one of
checkpoint-curves.py's selection rules (here: with the memorisation guard) over every segment's kept
checkpoints and `best.pt`: what a `restarts` run with that selection would keep, as far as the kept
checkpoints show it; and the same pick over two seeds' segments: a run with twice the budget.
`--baseline RUN ...` adds a row for another recipe's runs (their `best.pt`, scored the same way).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.stats import spearmanr

COLUMNS = (("KID", "kid/aisfx-512"), ("desc", "desc/w1_mean"), ("desc w/o attack", None),
           ("memorisation", "mem/nn_ratio_median/aisfx-512"), ("validity", "valid/ok"))


def checkpoint_curves():
    """scripts/checkpoint-curves.py as a module (its name is not an identifier)."""
    spec = importlib.util.spec_from_file_location("checkpoint_curves", Path(__file__).with_name("checkpoint-curves.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(scores: dict) -> list[float]:
    without_attack = [v for k, v in scores.items() if k.startswith("desc/w1/") and not k.endswith("/attack_ms")]
    return [float(np.mean(without_attack)) if key is None else scores[key] for _, key in COLUMNS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--figure", type=Path)
    parser.add_argument("--rule", help="also the picks of this checkpoint-curves.py rule, e.g. kd64@0.95")
    parser.add_argument("--timeline", type=Path, metavar="FIGURE",
                        help="with --rule: the test scores of every kept checkpoint of the first two seeds' segments "
                             "one after another (a run with twice the budget), the picks at 1x and 2x marked")
    parser.add_argument("--baseline", nargs="+", type=Path, default=[], metavar="RUN",
                        help="also a row for these runs' best.pt (another recipe, one run per seed)")
    parser.set_defaults(length=None)  # scored at the model's own length, as checkpoint-curves.py by default
    args = parser.parse_args()
    if args.timeline and not args.rule:
        parser.error("--timeline needs --rule (the selection whose picks it marks)")
    curves = checkpoint_curves()
    evaluation = curves.evaluation
    seeds: dict[str, list] = {}
    for run in sorted(args.runs):
        best = torch.load(run / "checkpoints" / "best.pt", map_location="cpu", weights_only=False)["best"]
        results = evaluation(run, run / "checkpoints" / "best.pt", args)
        seeds.setdefault(run.name.split("-k")[0], []).append((run.name, best["step"], best["value"], row(results["generated"])))
    head = "| run | best.pt step | val score | " + " | ".join(label for label, _ in COLUMNS) + " |"
    print(head + "\n|" + " --- |" * (3 + len(COLUMNS)))
    for runs in seeds.values():
        for name, step, value, cells in runs:
            print(f"| {name} | {step} | {value:.3g} | " + " | ".join(f"{c:.3g}" for c in cells) + " |")
    picks = {seed: min(runs, key=lambda r: r[2]) for seed, runs in seeds.items()}
    print("\n| selection | seeds | " + " | ".join(label for label, _ in COLUMNS) + " |\n|" + " --- |" * (2 + len(COLUMNS)))
    selected = [("restarts: lowest val score of the seed's runs", list(picks.values())),
                ("one short run (every run)", [r for runs in seeds.values() for r in runs])]
    if args.baseline:
        scored = [(run.name, 0, 0.0, row(evaluation(run, run / "checkpoints" / "best.pt", args)["generated"]))
                  for run in args.baseline]
        selected.append((f"baseline: best.pt of {', '.join(r[0] for r in scored)}", scored))
    if args.rule:
        ruled = [rule_pick(curves, [run for run in args.runs if run.name.startswith(f"{seed}-k")], args)
                 for seed in seeds]
        selected.insert(1, (f"restarts, picked by {args.rule} over kept checkpoints", ruled))
        for name, step, value, _ in ruled:
            print(f"{args.rule}: keeps {name} step {step} (score {value:.3g})")
        twice_the_budget(curves, list(seeds), ruled, args)
        if args.timeline:
            first, second = list(seeds)[:2]
            timeline(curves, [run for seed in (first, second) for run in sorted(args.runs)
                              if run.name.startswith(f"{seed}-k")], len(seeds[first]), args)
    for label, chosen in selected:
        cells = np.array([r[3] for r in chosen])
        print(f"| {label} | {len(chosen)} | " + " | ".join(f"{m:.3g} ± {s:.2g}" for m, s in
                                                          zip(cells.mean(0), cells.std(0, ddof=1))) + " |")
    for name in ("real_floor", "copy_train"):  # the same reference and train split for every run
        print(f"| {name} | | " + " | ".join(f"{c:.3g}" for c in row(results[name])) + " |")
    every = [r for runs in seeds.values() for r in runs]
    rho = spearmanr([r[2] for r in every], [r[3][0] for r in every])
    print(f"\nrank correlation of val score and test KID over {len(every)} runs: {rho.statistic:.2f} (p {rho.pvalue:.2g})")
    for seed, pick in picks.items():
        print(f"{seed}: keeps {pick[0]}; the lowest test KID of its runs is {min(r[3][0] for r in seeds[seed]):.3g}")
    if args.figure:
        figure(seeds, picks, args.figure)


def scored_checkpoints(run: Path) -> list[Path]:
    """The checkpoints of a run that a rule can pick: the kept ones and ``best.pt``."""
    return sorted((run / "checkpoints").glob("step_*.pt")) + [run / "checkpoints" / "best.pt"]


def rule_pick(curves, runs: list[Path], args) -> tuple[str, int, float, list[float]]:
    """The checkpoint of ``runs`` (kept ones and ``best.pt``) with the lowest ``args.rule`` score, as a table row."""
    candidates = [(curves.val_scores(run, ckpt, [args.rule])[args.rule], run, ckpt) for run in runs
                  for ckpt in scored_checkpoints(run)]
    value, run, ckpt = min(candidates, key=lambda c: c[0])
    return (run.name, curves.checkpoint_step(ckpt), value, row(curves.evaluation(run, ckpt, args)["generated"]))


def twice_the_budget(curves, seeds: list[str], ruled: list, args) -> None:
    """A restarts run with twice the budget and twice the segments, simulated: seed S's segments and the next
    seed's (other seeds, the same distribution), picked by ``args.rule``, against S's own pick."""
    for i, seed in enumerate(seeds):
        other = seeds[(i + 1) % len(seeds)]
        both = [run for run in args.runs if run.name.startswith((f"{seed}-k", f"{other}-k"))]
        name, step, _, cells = rule_pick(curves, both, args)
        print(f"2x ({seed} + {other}): keeps {name} step {step}: KID {cells[0]:.3g}, desc {cells[1]:.3g} "
              f"(1x {seed}: KID {ruled[i][3][0]:.3g}, desc {ruled[i][3][1]:.3g})")


def timeline(curves, runs: list[Path], per_hour: int, args) -> None:
    """Test KID and descriptor distance of every kept checkpoint and ``best.pt`` of ``runs``, one segment after
    another; stars: the rule's pick over the first ``per_hour`` segments (1x) and over all of them (2x)."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    axes = [fig.add_subplot(1, 2, i + 1) for i in range(2)]
    offset, scored, first_hour = 0, [], 0
    for k, run in enumerate(runs):
        points = sorted((offset + curves.checkpoint_step(c), row(curves.evaluation(run, c, args)["generated"]),
                         curves.val_scores(run, c, [args.rule])[args.rule]) for c in scored_checkpoints(run))
        scored += points
        for ax, col in zip(axes, (0, 1)):
            ax.plot([p[0] for p in points], [p[1][col] for p in points], ".-", color="C0" if k < per_hour else "C1",
                    lw=1)
            ax.axvline(offset, color="0.85", lw=0.8)
        offset += curves.checkpoint_step(run / "checkpoints" / "latest.pt")
        if k + 1 == per_hour:
            first_hour = len(scored)
    once, twice = (min(scored[:n], key=lambda p: p[2]) for n in (first_hour, len(scored)))
    for ax, col, label in zip(axes, (0, 1), ("KID", "descriptor distance")):
        ax.plot([once[0]], [once[1][col]], "*", color="C0", ms=16, label=f"kept at 1x ({label} {once[1][col]:.3g})")
        ax.plot([twice[0]], [twice[1][col]], "*", color="C1", ms=11, label=f"kept at 2x ({label} {twice[1][col]:.3g})")
        ax.set(xlabel="step of the run (grey: a restart)", ylabel=f"test {label} (256 kicks)",
               title=f"test {label}: hour 1 blue, hour 2 orange")
        ax.legend(fontsize=8)
    FigureCanvasAgg(fig)
    fig.savefig(args.timeline, dpi=100)


def figure(seeds: dict, picks: dict, path: Path) -> None:
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for i, (seed, runs) in enumerate(seeds.items()):
        ax.plot([r[2] for r in runs], [r[3][0] for r in runs], "o", color=f"C{i}", label=seed)
        ax.plot([picks[seed][2]], [picks[seed][3][0]], "*", color=f"C{i}", ms=16)
    ax.set(xlabel="val KID x descriptors of the run's best.pt", ylabel="test KID (256 kicks)",
           title="8.5-minute runs; star: what restarts keeps")
    ax.legend()
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
