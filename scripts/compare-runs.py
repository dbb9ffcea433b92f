"""Compare training runs scored by `kickgan evaluate`: a markdown table (mean +- sd per group) and the
validation curves against training time.

    PYTHONPATH=src .venv/bin/python scripts/compare-runs.py runs/prec --groups fp32,bf16 \
        --figure docs/precision_curves.png

Each run is a folder RUN_DIR/GROUP-sSEED holding `stats.jsonl` (written by `kickgan train`) and
`evaluation.json` (`kickgan evaluate RUN --json RUN/evaluation.json`). The table has one row per
run (steps reached, seconds per step, the selected checkpoint's step, test-split scores) and one
mean +- sd row per group; the figure plots each run's validation descriptor distance (the score
that picks `best.pt`) against wall-clock minutes, with the selected checkpoint marked.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SCORES = (("kid/aisfx-512", "KID"), ("fd/aisfx-512", "FD"), ("desc/w1_mean", "descriptor distance"),
          ("mem/nn_ratio_median/aisfx-512", "memorisation ratio"), ("valid/ok", "validity"))
VAL = "val/desc_w1"


def read_run(run: Path) -> dict:
    stats = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines() if line.strip()]
    report = json.loads((run / "evaluation.json").read_text())
    val = [(s["time"] / 60, s["step"], s[VAL]) for s in stats if VAL in s]
    best = min(val, key=lambda v: v[2]) if val else (np.nan, np.nan, np.nan)
    last = stats[-1]
    return {"steps": last["step"], "minutes": last["time"] / 60, "s_per_step": last["time"] / max(last["step"], 1),
            "best_step": best[1], "val": val, "scores": report["results"]["generated"]}


def fmt(x) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


def table(runs: dict[str, dict], groups: list[str]) -> str:
    head = ["run", "steps", "s/step", "best step"] + [label for _, label in SCORES]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for group in groups:
        members = {k: v for k, v in runs.items() if k.startswith(group + "-s")}
        for name, r in sorted(members.items()):
            cells = [name, str(r["steps"]), f"{r['s_per_step']:.3f}", str(r["best_step"])]
            lines.append("| " + " | ".join(cells + [fmt(r["scores"].get(k)) for k, _ in SCORES]) + " |")
        cells = [f"**{group}** mean +- sd (n={len(members)})", f"{np.mean([r['steps'] for r in members.values()]):.0f}",
                 f"{np.mean([r['s_per_step'] for r in members.values()]):.3f}", ""]
        for key, _ in SCORES:
            vals = np.array([r["scores"].get(key, np.nan) for r in members.values()], dtype=float)
            cells.append(f"{np.mean(vals):.3g} +- {np.std(vals, ddof=1) if len(vals) > 1 else 0:.2g}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def figure(runs: dict[str, dict], groups: list[str], path: Path) -> None:
    fig = Figure(figsize=(7, 3.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colours = dict(zip(groups, ("tab:blue", "tab:orange", "tab:green", "tab:red")))
    for name, r in sorted(runs.items()):
        group = name.rsplit("-s", 1)[0]
        t, steps, v = (np.array(c) for c in zip(*r["val"]))
        ax.plot(t, v, color=colours.get(group, "gray"), alpha=0.8, label=f"{name} ({r['steps']} steps)")
        i = int(np.argmin(v))
        ax.plot(t[i], v[i], "o", color=colours.get(group, "gray"))
    ax.set_xlabel("training time (minutes, one thread)")
    ax.set_ylabel("validation descriptor distance")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.set_title("validation score against time; dots: the selected best.pt", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--groups", required=True, help="comma-separated run-name prefixes, e.g. fp32,bf16")
    parser.add_argument("--figure", type=Path, help="write the validation curves here (PNG)")
    args = parser.parse_args()
    groups = args.groups.split(",")
    runs = {p.name: read_run(p) for p in sorted(args.run_dir.iterdir())
            if (p / "evaluation.json").is_file() and any(p.name.startswith(g + "-s") for g in groups)}
    print(table(runs, groups), end="")
    if args.figure:
        figure(runs, groups, args.figure)
        print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
