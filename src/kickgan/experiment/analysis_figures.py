"""The analysis figures (``kickgan analyse``): spatial patterns and nonspatial distributions, real against each model.

Drawn from the result of :func:`kickgan.experiment.analysis_report.analyse`, with matplotlib's
object-oriented API like the report's other figures; every caption names the budget and the seeds.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from kickgan.experiment.analysis_report import HIST_EDGES
from kickgan.experiment.figures import model_style, save_figure
from kickgan.experiment.record import budget_text


def _style(i: int, label: str) -> dict:
    """Real in thick black, the models in the report's colour order."""
    return {"color": "k", "lw": 1.8} if label == "real" else {**model_style(i - 1), "lw": 1.0}


def _band(ax, x, stats: dict, label: str, style: dict) -> None:
    """The mean curve and a shaded +-1 std band."""
    mean, std = np.asarray(stats["mean"], dtype=float), np.asarray(stats["std"], dtype=float)
    ax.plot(x, mean, label=label, **style)
    ax.fill_between(x, mean - std, mean + std, color=style["color"], alpha=0.12, lw=0)


def _caption(fig: Figure, record: dict, result: dict) -> None:
    seeds = ", ".join(map(str, record["spec"]["seeds"]))
    sizes = ", ".join(f"{k} {s['n']}" for k, s in result["sets"].items())
    text = f"{record['name']}: budget {budget_text(record)} per run, seeds {seeds}; kicks per set: {sizes}"
    fig.suptitle(textwrap.fill(text, 180), fontsize=9)


def spatial_patterns(result: dict, record: dict) -> Figure:
    """Pitch glide and decay envelope (mean +- std over kicks), and the onset sharpness distributions."""
    fig = Figure(figsize=(14, 4.2), layout="constrained")
    glide, decay, onset = (fig.add_subplot(1, 3, i) for i in (1, 2, 3))
    for i, (label, s) in enumerate(result["sets"].items()):
        style = _style(i, label)
        _band(glide, s["glide_t"], s["glide"], label, style)
        _band(decay, s["decay_t"], s["decay"], label, style)
    glide.set(title="pitch glide: body frequency", xlabel="ms after the onset", ylabel="Hz")
    decay.set(title="decay envelope", xlabel="ms after the peak", ylabel="dB re peak")
    labels = list(result["sets"])
    onset.boxplot([np.asarray(result["sets"][k]["onset"], dtype=float) for k in labels], orientation="horizontal")
    onset.set_yticks(range(1, len(labels) + 1), labels, fontsize=8)
    onset.set_xscale("log")
    onset.set(title="onset sharpness", xlabel="steepest envelope rise (fraction of peak per ms)")
    glide.legend(fontsize=6)
    _caption(fig, record, result)
    return fig


def nonspatial_distributions(result: dict, record: dict) -> Figure:
    """Per-bin mean and std of the log-magnitude, Durall's 1-D power spectrum, histograms at a few bins."""
    real = result["sets"]["real"]
    fig = Figure(figsize=(14, 7.5), layout="constrained")
    mean, std, radial = (fig.add_subplot(2, 3, i) for i in (1, 2, 3))
    hists = [fig.add_subplot(2, 3, 4 + i) for i in range(len(real["hist_hz"]))]
    centres = (HIST_EDGES[:-1] + HIST_EDGES[1:]) / 2
    for i, (label, s) in enumerate(result["sets"].items()):
        style = _style(i, label)
        mean.plot(s["bin_hz"], s["bin_mean"], label=label, **style)
        std.plot(s["bin_hz"], s["bin_std"], label=label, **style)
        radial.plot(s["radial_f"], s["radial"], label=label, **style)
        for ax, h in zip(hists, s["hist"]):
            ax.plot(centres, h, drawstyle="steps-mid", label=label, **style)
    for ax, what in ((mean, "mean"), (std, "standard deviation")):
        ax.set_xscale("symlog", linthresh=100)
        ax.set(xlabel="frequency (Hz)", ylabel="dB", title=f"log-magnitude per bin: {what}")
    radial.set(yscale="linear", xlabel="radial frequency (cycles per pixel)", ylabel="power (dB)",
               title="1-D power spectrum of the spectrograms (Durall)")
    for ax, hz in zip(hists, real["hist_hz"]):
        ax.set(xlabel="log-magnitude (dB)", ylabel="density", title=f"distribution at {hz:.0f} Hz")
    mean.legend(fontsize=6)
    _caption(fig, record, result)
    return fig


def write_analysis_figures(result: dict, record: dict, folder: str | Path) -> list[Path]:
    """``FOLDER/figures/{spatial_patterns,nonspatial_distributions}.{png,pdf}``; return the paths."""
    out = Path(folder) / "figures"
    return (save_figure(spatial_patterns(result, record), out, "spatial_patterns")
            + save_figure(nonspatial_distributions(result, record), out, "nonspatial_distributions"))
