"""``write_report``: every table, figure and page of an experiment, from its ``experiment.json`` alone."""

from __future__ import annotations

from pathlib import Path

from kickgan.experiment import results
from kickgan.experiment.figures import write_figures
from kickgan.experiment.gallery import write_gallery
from kickgan.experiment.methods import write_methods
from kickgan.experiment.record import budget_text, hardware_text, load_record
from kickgan.io import write_text


def results_markdown(record: dict) -> str:
    """``results.md``: the table, what each column means, and the budget and hardware behind it."""
    seeds = ", ".join(map(str, record["spec"]["seeds"]))
    ev = record["spec"]["eval"]
    return (
        f"# Results: {record['name']}\n\n"
        f"Budget per run: **{budget_text(record)}**; seeds {seeds} (mean ± sample std over seeds); "
        f"{ev['n']} kicks per run scored against the `{ev['reference']}` split. "
        f"Hardware: {hardware_text(record)}; torch {record['versions'].get('torch', '?')}. "
        "Best model values in bold.\n\n"
        + results.markdown_table(record)
        + "\n"
        + results.column_notes(record)
    )


def write_report(folder: str | Path, record: dict | None = None) -> list[Path]:
    """(Re)write ``results.md``, ``results.tex``, the figures, ``methods.md`` and ``index.html`` in ``folder``.

    ``record`` defaults to ``FOLDER/experiment.json``. Returns the written paths.
    """
    folder = Path(folder)
    record = load_record(folder) if record is None else record
    n = int(record["spec"].get("gallery", 8))
    written = [folder / "results.md", folder / "results.tex"]
    write_text(written[0], results_markdown(record))
    write_text(written[1], results.latex_table(record))
    written += write_figures(record, folder, n)
    written.append(write_methods(record, folder))
    written.append(write_gallery(record, folder, n))
    return written
