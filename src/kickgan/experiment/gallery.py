"""``index.html``: the results table, the figures and an audio gallery, opening from disk with no server.

Every ``src`` / ``href`` is a path relative to the report folder, and only files that exist are
referenced (a missing one is left out with a note rather than linked dead).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from kickgan.experiment import results
from kickgan.experiment.record import budget_text, hardware_text
from kickgan.io import write_text

FIGURES = (
    ("loss_curves", "Loss curves"),
    ("quality_vs_time", "Quality against training time (left) and the steps each run reached (right)"),
    ("spectrograms", "Spectrograms: real kicks and each model's"),
    ("descriptors", "Kick descriptors: real against each model"),
    ("power_spectra", "Averaged power spectra (Durall et al. 2020)"),
)
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1400px; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
tr.baseline td, tr.ceiling td { color: #555; font-style: italic; }
.kicks td { text-align: center; font-size: 0.8em; }
audio { width: 150px; }
img { max-width: 100%; border: 1px solid #eee; }
"""


def write_gallery(record: dict, folder: str | Path, n: int = 8) -> Path:
    """Write ``FOLDER/index.html`` for the experiment ``record``; return its path."""
    folder = Path(folder)
    seeds = ", ".join(map(str, record["spec"]["seeds"]))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>kickgan experiment: {escape(record['name'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>kickgan experiment: {escape(record['name'])}</h1>",
        f"<p>Budget per run: {escape(budget_text(record))}; seeds: {escape(seeds)}; "
        f"hardware: {escape(hardware_text(record))}. {_links(folder)}</p>",
        "<h2>Results</h2>",
        _results_table(record),
        "<h2>Listen</h2>",
        _audio_table(record, folder, n),
        "<h2>Figures</h2>",
    ]
    for stem, title in FIGURES:
        parts.append(_figure(folder, stem, f"{title}; {budget_text(record)} per run, seeds {seeds}"))
    parts.append("</body></html>")
    path = folder / "index.html"
    write_text(path, "\n".join(parts) + "\n")
    return path


def _links(folder: Path) -> str:
    names = ("results.md", "results.tex", "methods.md", "experiment.json")
    return " ".join(f'<a href="{name}">{name}</a>' for name in names if (folder / name).is_file())


def _results_table(record: dict) -> str:
    rows = results.result_rows(record)
    cols = results.used_columns(rows)
    best = results.best_labels(rows, cols)
    out = ["<table><tr><th>model</th>" + "".join(f"<th>{escape(c.header)}</th>" for c in cols) + "</tr>"]
    for row in rows:
        cells = []
        for c in cols:
            text = escape(results.format_cell(row.cells.get(c.key), " ± "))
            cells.append(f"<td><b>{text}</b></td>" if row.label in best.get(c.key, ()) else f"<td>{text}</td>")
        out.append(f'<tr class="{row.kind}"><td>{escape(row.label)}</td>' + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _audio_table(record: dict, folder: Path, n: int) -> str:
    rows = [("real (test split)", record["real"].get("audio", []))]
    for model in record["models"]:
        runs = [r for r in record["runs"] if r["model"] == model["name"] and r.get("audio")]
        if runs:
            rows.append((f"{model['name']} (seed {runs[0]['seed']})", runs[0]["audio"]))
    return audio_table(rows, folder, n)


def audio_table(rows: list[tuple[str, list[str]]], folder: Path, n: int) -> str:
    """A table of audio players: one row per ``(label, paths relative to folder)``, its first ``n``
    files that exist, each captioned with its file stem (also the producer's listening page)."""
    out = ['<table class="kicks">']
    for label, paths in rows:
        cells = []
        for rel in (p for p in paths[:n] if (folder / p).is_file()):
            player = f'<audio controls preload="none" src="{escape(rel)}"></audio>'
            cells.append(f"<td>{player}<br>{escape(Path(rel).stem)}</td>")
        out.append(f"<tr><th>{escape(label)}</th>{''.join(cells)}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _figure(folder: Path, stem: str, title: str) -> str:
    png, pdf = f"figures/{stem}.png", f"figures/{stem}.pdf"
    if not (folder / png).is_file():
        return f"<h3>{escape(title)}</h3><p>(not drawn)</p>"
    link = f' (<a href="{pdf}">PDF</a>)' if (folder / pdf).is_file() else ""
    return f'<h3>{escape(title)}{link}</h3><img src="{png}" alt="{escape(title)}">'
