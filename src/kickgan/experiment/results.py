"""The results table: mean +- std over seeds per model, best values marked, plus baselines and ceilings.

Every number comes from an ``experiment.json`` record (see :mod:`kickgan.experiment.record`):
each run carries a flat ``metrics`` dict; the baselines (real floor, copy the training set) and
the representation round trips (real test kicks encoded and decoded) carry the same keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Column:
    """One column: the metric key it reads, its header, and which way is better.

    goal: ``min`` (lower is better), ``max`` (higher is better) or ``one`` (closest to 1 is best).
    """

    key: str
    header: str
    goal: str
    note: str


COLUMNS = (
    Column("fd/aisfx-512", "FD", "min", "Frechet distance in the aisfx embedding (Kilgour et al. 2019)"),
    Column("kid/aisfx-512", "KID", "min",
           "kernel inception distance in the aisfx embedding, unbiased (Binkowski et al. 2018)"),
    Column("desc/w1_mean", "descriptor dist.", "min",
           "mean Wasserstein-1 distance of the kick descriptors, standardised by the reference set"),
    Column("mem/nn_ratio_median/aisfx-512", "memorisation ratio", "one",
           "median distance to the nearest training kick over the training set's own nearest-neighbour "
           "distances, in the aisfx embedding (0: copies)"),
    Column("art/upper_band_abs_db", "artefacts (dB)", "min",
           "mean absolute deviation of the averaged power spectrum from the reference's in the top quarter "
           "of the band (Durall et al. 2020)"),
    Column("valid/ok", "validity", "max", "fraction of kicks neither silent, non-finite nor clipped"),
    Column("perf/s_per_iter", "train s/iter", "min",
           "median seconds per training iteration (a GAN: n_critic D steps and one G step; a flow: one "
           "update), on the clock of the budget: CPU seconds under a CPU-minute budget, else wall-clock"),
    Column("perf/kicks_per_s", "gen. kicks/s", "max", "kicks generated per second, phase reconstruction included"),
)
def _descriptor_columns() -> tuple[Column, ...]:
    from kickgan.audio.descriptors import NAMES

    return tuple(Column(f"desc/w1/{name}", name, "min", f"standardised Wasserstein-1 distance of {name}")
                 for name in NAMES)


DESCRIPTOR_COLUMNS = _descriptor_columns()  # the descriptor distance's terms, one column each
GOAL_MARK = {"min": "(lower is better)", "max": "(higher is better)", "one": "(closest to 1 is best)"}


@dataclass(frozen=True)
class Cell:
    """An aggregated value: mean, std over ``n`` finite values (std is None for one value)."""

    mean: float
    std: float | None
    n: int


@dataclass(frozen=True)
class Row:
    label: str
    cells: dict[str, Cell | None]
    kind: str  # model | baseline | ceiling


def aggregate(values: list[float]) -> Cell | None:
    """Mean and sample standard deviation of the finite ``values``; ``None`` when there are none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    std = float(np.std(finite, ddof=1)) if len(finite) > 1 else None
    return Cell(float(np.mean(finite)), std, len(finite))


def result_rows(record: dict, columns: tuple[Column, ...] = COLUMNS) -> list[Row]:
    """One row per model (seeds aggregated, in the order of the spec), then baselines and round trips."""
    rows = []
    for model in (m["name"] for m in record["models"]):
        runs = [r for r in record["runs"] if r["model"] == model]
        cells = {c.key: aggregate([r["metrics"].get(c.key) for r in runs]) for c in columns}
        rows.append(Row(f"{model} ({len(runs)} seeds)" if len(runs) != 1 else model, cells, "model"))
    for name, label in (("real_floor", "real floor (test vs test)"), ("copy_train", "copy the training set")):
        metrics = record.get("baselines", {}).get(name)
        if metrics:
            rows.append(Row(label, {c.key: aggregate([metrics.get(c.key)]) for c in columns}, "baseline"))
    for ceiling in record.get("ceilings", []):
        cells = {c.key: aggregate([ceiling["metrics"].get(c.key)]) for c in columns}
        rows.append(Row(f"round trip: {ceiling['name']}", cells, "ceiling"))
    return rows


def best_labels(rows: list[Row], columns: tuple[Column, ...] = COLUMNS) -> dict[str, set[str]]:
    """Column key -> labels of the model rows holding the best mean (ties all marked)."""
    best: dict[str, set[str]] = {}
    for col in columns:
        scored = [(r.label, _score(r.cells[col.key].mean, col.goal)) for r in rows
                  if r.kind == "model" and r.cells.get(col.key) is not None]
        if len(scored) > 1:
            top = min(s for _, s in scored)
            best[col.key] = {label for label, s in scored if math.isclose(s, top, rel_tol=1e-9, abs_tol=1e-12)}
    return best


def _score(value: float, goal: str) -> float:
    """A number to minimise."""
    return {"min": value, "max": -value, "one": abs(math.log(value)) if value > 0 else math.inf}[goal]


def used_columns(rows: list[Row], columns: tuple[Column, ...] = COLUMNS) -> tuple[Column, ...]:
    """The columns that hold at least one number (a metrics subset leaves the rest out)."""
    return tuple(c for c in columns if any(r.cells.get(c.key) is not None for r in rows))


def decimals(value: float, digits: int = 3) -> int:
    """Decimals that show ``value`` with ``digits`` significant digits (0 to 5)."""
    if value == 0 or not math.isfinite(value):
        return digits - 1
    return int(min(5, max(0, digits - 1 - math.floor(math.log10(abs(value))))))


def format_cell(cell: Cell | None, pm: str) -> str:
    """``mean pm std`` with three significant digits in the mean (the std to the same decimals)."""
    if cell is None:
        return "-"
    places = decimals(cell.mean)
    text = f"{cell.mean:.{places}f}"
    return text if cell.std is None else f"{text}{pm}{cell.std:.{places}f}"


def markdown_table(record: dict, columns: tuple[Column, ...] = COLUMNS) -> str:
    """The results as a GitHub Markdown table; best model values in bold."""
    rows = result_rows(record, columns)
    cols = used_columns(rows, columns)
    best = best_labels(rows, cols)
    lines = ["| model | " + " | ".join(f"{c.header} {_arrow(c.goal)}" for c in cols) + " |",
             "| --- | " + " | ".join("---:" for _ in cols) + " |"]
    for row in rows:
        cells = []
        for c in cols:
            text = format_cell(row.cells.get(c.key), " ± ")
            cells.append(f"**{text}**" if row.label in best.get(c.key, ()) else text)
        label = row.label if row.kind == "model" else f"*{row.label}*"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def latex_table(record: dict, columns: tuple[Column, ...] = COLUMNS) -> str:
    """The results as a LaTeX ``tabular`` (needs ``booktabs``); best model values in bold."""
    rows = result_rows(record, columns)
    cols = used_columns(rows, columns)
    best = best_labels(rows, cols)
    out = ["% kickgan experiment results; needs \\usepackage{booktabs}",
           "\\begin{tabular}{l" + "r" * len(cols) + "}", "\\toprule",
           "model & " + " & ".join(f"{_tex(c.header)} {_tex_arrow(c.goal)}" for c in cols) + " \\\\", "\\midrule"]
    previous = "model"
    for row in rows:
        if row.kind != previous:
            out.append("\\midrule")
            previous = row.kind
        cells = []
        for c in cols:
            text = format_cell(row.cells.get(c.key), " $\\pm$ ")
            cells.append(f"\\textbf{{{text}}}" if row.label in best.get(c.key, ()) else text)
        out.append(f"{_tex(row.label)} & " + " & ".join(cells) + " \\\\")
    out += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(out) + "\n"


def column_notes(record: dict, columns: tuple[Column, ...] = COLUMNS) -> str:
    """A Markdown list explaining each used column."""
    cols = used_columns(result_rows(record, columns), columns)
    return "\n".join(f"- **{c.header}** {GOAL_MARK[c.goal]}: {c.note}." for c in cols) + "\n"


def _arrow(goal: str) -> str:
    return {"min": "↓", "max": "↑", "one": "→1"}[goal]


def _tex_arrow(goal: str) -> str:
    return {"min": "$\\downarrow$", "max": "$\\uparrow$", "one": "$\\to 1$"}[goal]


def _tex(text: str) -> str:
    for char, escaped in (("\\", "\\textbackslash{}"), ("_", "\\_"), ("%", "\\%"), ("&", "\\&"), ("#", "\\#")):
        text = text.replace(char, escaped)
    return text
