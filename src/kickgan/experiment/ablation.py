"""The ablation table: every pair of an experiment's models whose training options differ in a few
settings, what differs, and how the scores moved (same budget, same seeds, same evaluation).

Read from ``experiment.json`` alone. A pair qualifies when at most ``MAX_CHANGES`` options that shape the
model differ (bookkeeping such as the name, the data path, checkpoint and preview intervals is ignored).
Each change of score is ``mean(B) - mean(A)`` over seeds, with ``+-`` the root sum of squares of the two
sample standard deviations (the spread of the difference of one run of each).
"""

from __future__ import annotations

import math

from kickgan.experiment import results

MAX_CHANGES = 4
IGNORED = {"name", "data", "steps", "seed", "device", "deterministic", "ckpt_every", "keep_every",
           "preview_every", "preview_n", "time_budget_minutes", "budget_clock", "threads", "best_metric"}
SCORES = ("fd/aisfx-512", "kid/aisfx-512", "desc/w1_mean", "art/upper_band_abs_db")


def flat_options(cfg: dict, prefix: str = "") -> dict:
    """``{"loss.kind": "bce", ...}`` from nested training options, bookkeeping keys left out."""
    out = {}
    for key, value in cfg.items():
        if not prefix and key in IGNORED:
            continue
        if isinstance(value, dict):
            out.update(flat_options(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def changes(a: dict, b: dict) -> list[tuple[str, object, object]]:
    """``(option, value in a, value in b)`` for every option that differs, sorted by option."""
    fa, fb = flat_options(a), flat_options(b)
    return [(k, fa.get(k), fb.get(k)) for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)]


def ablation_pairs(record: dict, max_changes: int = MAX_CHANGES) -> list[tuple[str, str, list]]:
    """``(model A, model B, changes)`` for the pairs, in the spec's order, that differ in 1..max_changes options."""
    models = record["models"]
    pairs = []
    for i, a in enumerate(models):
        for b in models[i + 1:]:
            diff = changes(a.get("config", {}), b.get("config", {}))
            if 0 < len(diff) <= max_changes:
                pairs.append((a["name"], b["name"], diff))
    return pairs


def ablations_of_earlier(record: dict) -> set[str]:
    """The models one training option away from a model before them in the spec's order."""
    models = record["models"]
    return {b["name"] for i, b in enumerate(models)
            if any(len(changes(a.get("config", {}), b.get("config", {}))) == 1 for a in models[:i])}


def composed_of_two_pairs(record: dict, a: str, b: str, listed: set[frozenset]) -> bool:
    """Whether some third model C reaches A and B by changing disjoint sets of options, with both
    C's pairs among ``listed``: then A -> B is two rows of the tables added up, not a recipe of its own."""
    configs = {m["name"]: m.get("config", {}) for m in record["models"]}
    for c, cfg in configs.items():
        if c in (a, b) or not {frozenset((c, a)), frozenset((c, b))} <= listed:
            continue
        to_a, to_b = ({k for k, _, _ in changes(cfg, configs[x])} for x in (a, b))
        if not to_a & to_b:
            return True
    return False


def score_change(record: dict, a: str, b: str, key: str) -> results.Cell | None:
    """``mean(B) - mean(A)`` of one metric over seeds, its spread as ``std`` (None for one seed each)."""
    ca, cb = (results.aggregate([r["metrics"].get(key) for r in record["runs"] if r["model"] == m]) for m in (a, b))
    if ca is None or cb is None:
        return None
    std = math.hypot(ca.std, cb.std) if ca.std is not None and cb.std is not None else None
    return results.Cell(cb.mean - ca.mean, std, min(ca.n, cb.n))


def ablation_markdown(record: dict) -> str:
    """Two tables, with the budget and the seeds: the single-factor ablations (pairs that differ in
    one training option), then the pairs that differ in 2..MAX_CHANGES (recipes rather than factors);
    a sentence instead of a table that has no pair."""
    from kickgan.experiment.record import budget_text

    seeds = ", ".join(map(str, record["spec"]["seeds"]))
    text = (f"Change = B - A (mean over seeds ± root sum of squares of the two standard deviations; in a ↓ "
            f"column a negative change is an improvement). Budget {budget_text(record)} per run; seeds {seeds}.\n\n")
    pairs = ablation_pairs(record)
    single = [p for p in pairs if len(p[2]) == 1]
    derived = ablations_of_earlier(record)
    several = [p for p in pairs if len(p[2]) > 1 and not {p[0], p[1]} & derived]
    listed = {frozenset(p[:2]) for p in single + several}
    several = [p for p in several if not composed_of_two_pairs(record, p[0], p[1], listed)]
    text += "**Single-factor ablations**: pairs of models that differ in one training option.\n\n"
    text += _pair_table(record, single) if single else "No pair of models differs in one option only.\n"
    text += (f"\n**Recipes**: pairs that differ in 2 to {MAX_CHANGES} options together (not one factor's "
             f"effect), leaving out the models that are one option away from a model listed before them "
             f"(the single-factor ablations above: their pairs with each other only add up two rows of that table) "
             f"and the pairs of two models that a third reaches by changing different options (two rows of these tables).\n\n")
    text += _pair_table(record, several) if several else f"No pair differs in 2 to {MAX_CHANGES} options.\n"
    return text


def _pair_table(record: dict, pairs: list[tuple[str, str, list]]) -> str:
    headers = {c.key: f"{c.header} {'↓' if c.goal == 'min' else '↑'}" for c in results.COLUMNS}
    lines = ["| A | B | what changes (A → B) | " + " | ".join(f"Δ {headers[k]}" for k in SCORES) + " |",
             "| --- | --- | --- | " + " | ".join("---:" for _ in SCORES) + " |"]
    for a, b, diff in pairs:
        what = "; ".join(f"`{k}` {va} → {vb}" for k, va, vb in diff)
        cells = [_signed(score_change(record, a, b, k)) for k in SCORES]
        lines.append(f"| {a} | {b} | {what} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _signed(cell: results.Cell | None) -> str:
    text = results.format_cell(cell, " ± ")
    return text if cell is None or cell.mean < 0 else "+" + text
