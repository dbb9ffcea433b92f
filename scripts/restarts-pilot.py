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
    parser.set_defaults(length=None)  # scored at the model's own length, as checkpoint-curves.py by default
    args = parser.parse_args()
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
    if args.rule:
        ruled = [rule_pick(curves, [run for run in args.runs if run.name.startswith(f"{seed}-k")], args)
                 for seed in seeds]
        selected.insert(1, (f"restarts, picked by {args.rule} over kept checkpoints", ruled))
        for name, step, value, _ in ruled:
            print(f"{args.rule}: keeps {name} step {step} (score {value:.3g})")
        twice_the_budget(curves, list(seeds), ruled, args)
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


def rule_pick(curves, runs: list[Path], args) -> tuple[str, int, float, list[float]]:
    """The checkpoint of ``runs`` (kept ones and ``best.pt``) with the lowest ``args.rule`` score, as a table row."""
    candidates = [(curves.val_scores(run, ckpt, [args.rule])[args.rule], run, ckpt) for run in runs
                  for ckpt in sorted((run / "checkpoints").glob("step_*.pt")) + [run / "checkpoints" / "best.pt"]]
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
