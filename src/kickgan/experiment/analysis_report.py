"""``kickgan analyse``: the paper's analysis of an experiment's kicks, written into its report folder.

Which kicks: per model, ``n`` kicks (seeds 0..n-1) from each run's checkpoint when the report folder
still holds its run folders, else the gallery WAVs the report keeps (``experiment.json``'s ``audio``);
the real side is ``reference`` when given (a dataset split or a folder of audio), else the dataset's
reference split when the dataset is reachable, else the report's real WAVs. Every set is cut to the shortest clip among them, so all are compared over the same span.
Writes ``analysis.json`` (every number and curve), ``analysis.md``, ``figures/{spatial_patterns,
nonspatial_distributions}.{png,pdf}`` and ``ablation.md`` (:mod:`kickgan.experiment.ablation`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kickgan.errors import KickganError
from kickgan.experiment import analysis as an
from kickgan.experiment.results import DESCRIPTOR_COLUMNS, markdown_table
from kickgan.experiment.ablation import ablation_markdown
from kickgan.experiment.record import budget_text, load_record
from kickgan.io import read_audio, write_json, write_text

HIST_HZ = (100.0, 1000.0, 4000.0)
HIST_EDGES = np.linspace(an.FLOOR_DB, 0.0, 26)
# (key, header, unit, what): the numbers of analysis.md's table, in its order
NUMBERS = (
    ("n", "kicks", "", "kicks analysed"),
    ("onset_sharpness", "onset sharpness", "/ms", "median steepest envelope rise, fraction of the peak per ms"),
    ("glide_start_hz", "body 5 ms", "Hz", "mean body frequency 5 ms after the onset"),
    ("glide_end_hz", "body 100 ms", "Hz", "mean body frequency 100 ms after the onset"),
    ("decay_20db_ms", "-20 dB at", "ms", "first time the mean envelope is 20 dB below its peak"),
    ("glide_abs_hz", "glide dev.", "Hz", "mean absolute difference of the mean glide curve from the real one"),
    ("decay_abs_db", "decay dev.", "dB", "mean absolute difference of the mean decay curve from the real one"),
    ("bin_mean_abs_db", "bin mean dev.", "dB", "mean absolute difference of the per-bin mean log-magnitude"),
    ("bin_std_abs_db", "bin std dev.", "dB", "mean absolute difference of the per-bin standard deviation"),
    ("radial_abs_db", "1-D spectrum dev.", "dB", "mean absolute difference of Durall's 1-D power spectrum"),
    ("radial_peak_cpp", "peak at", "cyc/px", "radial frequency of the strongest narrow peak of the 1-D spectrum"),
    ("radial_peak_db", "peak height", "dB", "its height above the running median (a checkerboard artefact)"),
    ("art/peak_score", "comb score", "", "experiment.json: periodic-peak score of the averaged audio spectrum"),
    ("art/upper_band_abs_db", "upper band", "dB", "experiment.json: upper-band deviation of the averaged spectrum"),
)


def kick_sets(record: dict, folder: Path, n: int, reference: str | None = None,
              log: Callable[[str], None] = print) -> tuple[int, dict[str, np.ndarray], dict[str, str]]:
    """The clips to analyse: ``sr``, ``{label: clips [N,T]}`` (``real`` first) and ``{label: where from}``."""
    sr = int(record["dataset"]["sr"])
    real, where = _real(record, folder, reference)
    sets, sources = {"real": real}, {"real": where}
    for name in (m["name"] for m in record["models"]):
        runs = [r for r in record["runs"] if r["model"] == name]
        ckpts = [c for c in (_checkpoint(folder, r) for r in runs) if c is not None]
        if ckpts:
            from kickgan.sampler import KickSampler

            log(f"  {name}: generating {n} kicks from each of {len(ckpts)} checkpoints")
            samplers = [KickSampler.from_checkpoint(c) for c in ckpts]
            clips = [_at_rate(s.generate(list(range(n))), s.sr, sr) for s in samplers]
            sources[name] = f"{n} kicks (seeds 0-{n - 1}) from each of {len(clips)} run checkpoints"
        else:
            clips = [_read_wavs(folder, r.get("audio") or [], sr) for r in runs]
            seeds = [str(r["seed"]) for r, c in zip(runs, clips) if len(c)]
            sources[name] = f"the gallery WAVs of seed {', '.join(seeds)}" if seeds else "no kicks in the report"
        clips = [c for c in clips if len(c)]
        if clips:
            length = min(c.shape[1] for c in clips)
            sets[name] = np.concatenate([c[:, :length] for c in clips])
    length = min(c.shape[1] for c in sets.values())
    return sr, {k: c[:, :length] for k, c in sets.items()}, sources


def _at_rate(clips: np.ndarray, sr: int, target_sr: int) -> np.ndarray:
    """``clips [N,T]`` at ``sr`` resampled to ``target_sr`` (a row trained on another build of the kits)."""
    from kickgan.audio.preprocess import resample

    return clips if sr == target_sr else np.stack([resample(y, sr, target_sr) for y in clips])


def set_summary(clips: np.ndarray, sr: int) -> dict:
    """Curves and numbers of one set of ``clips [N,T]``."""
    glide_t, glide = an.pitch_glide(clips, sr)
    decay_t, decay = an.decay_envelope(clips, sr, ms=min(an.DECAY_MS, 1000.0 * clips.shape[1] / sr))
    S = an.log_magnitude(clips)
    mean, std = an.bin_statistics(S)
    bins = [min(S.shape[1] - 1, round(f * an.N_FFT / sr)) for f in HIST_HZ]
    radial_f, radial = an.radial_spectrum(S)
    peak_f, peak_db = an.spectral_peak(radial_f, radial)
    g, d = an.curve_stats(glide), an.curve_stats(decay)
    below = np.flatnonzero(d["mean"] <= -20.0)
    onset = an.onset_sharpness(clips, sr)
    return {
        "n": len(clips), "onset": onset, "onset_sharpness": float(np.median(onset)),
        "glide_t": glide_t, "glide": g, "glide_start_hz": float(g["mean"][0]), "glide_end_hz": float(g["mean"][-1]),
        "decay_t": decay_t, "decay": d, "decay_20db_ms": float(decay_t[below[0]]) if len(below) else None,
        "bin_hz": np.arange(S.shape[1]) * sr / an.N_FFT, "bin_mean": mean, "bin_std": std,
        "hist_hz": [b * sr / an.N_FFT for b in bins], "hist": an.bin_histograms(S, bins, HIST_EDGES),
        "radial_f": radial_f, "radial": radial, "radial_peak_cpp": peak_f, "radial_peak_db": peak_db,
    }


def against_real(s: dict, real: dict) -> dict:
    """Mean absolute differences of a set's curves from the real set's (NaN points skipped)."""
    def dev(a, b):
        diff = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
        return float(np.nanmean(diff)) if np.isfinite(diff).any() else None

    return {"glide_abs_hz": dev(s["glide"]["mean"], real["glide"]["mean"]),
            "decay_abs_db": dev(s["decay"]["mean"], real["decay"]["mean"]),
            "bin_mean_abs_db": dev(s["bin_mean"], real["bin_mean"]),
            "bin_std_abs_db": dev(s["bin_std"], real["bin_std"]),
            "radial_abs_db": dev(s["radial"], real["radial"])}


def analyse(record: dict, folder: Path, n: int, reference: str | None = None,
            log: Callable[[str], None] = print) -> dict:
    """Every set's summary, its deviations from real, and the artefact scores of experiment.json."""
    sr, sets, sources = kick_sets(record, folder, n, reference, log)
    summaries = {label: set_summary(clips, sr) for label, clips in sets.items()}
    for label, s in summaries.items():
        s.update(against_real(s, summaries["real"]) if label != "real" else {})
        runs = [r["metrics"] for r in record["runs"] if r["model"] == label]
        for key in ("art/peak_score", "art/upper_band_abs_db"):
            values = [m[key] for m in runs if m.get(key) is not None]
            s[key] = float(np.mean(values)) if values else None
    return {"sr": sr, "length": int(next(iter(sets.values())).shape[1]), "sources": sources, "sets": summaries}


def analysis_markdown(result: dict, record: dict) -> str:
    """``analysis.md``: where the kicks came from, the table of numbers, the method of each, the figures."""
    seeds = ", ".join(map(str, record["spec"]["seeds"]))
    lines = [f"# Analysis: {record['name']}\n",
             f"Budget per run: **{budget_text(record)}**; seeds {seeds}. Clips compared over their first "
             f"{result['length']} samples at {result['sr']} Hz (made by `kickgan analyse`).\n",
             "Kicks analysed:\n"] + [f"- {k}: {v}" for k, v in result["sources"].items()] + [""]
    lines += ["| set | " + " | ".join(f"{h} ({u})" if u else h for _, h, u, _ in NUMBERS) + " |",
              "| --- | " + " | ".join("---:" for _ in NUMBERS) + " |"]
    for label, s in result["sets"].items():
        lines.append(f"| {label} | " + " | ".join(_fmt(s.get(key)) for key, *_ in NUMBERS) + " |")
    lines += ["", "Columns:\n"] + [f"- **{h}**: {what}." for _, h, _, what in NUMBERS]
    lines += ["", "Method: `kickgan.experiment.analysis` (pitch glide and decay from the descriptors' body "
              "frequency and envelope; log-magnitude from `kickgan.spectral.stft`, "
              f"n_fft {an.N_FFT}, hop {an.HOP_LENGTH}, floored at {an.FLOOR_DB:.0f} dB; histograms at "
              + ", ".join(f"{f:.0f} Hz" for f in HIST_HZ) + ").\n",
              f"![Spatial patterns: pitch glide, decay envelope, onset sharpness; {budget_text(record)} per run, "
              f"seeds {seeds}](figures/spatial_patterns.png)\n",
              f"![Nonspatial distributions: per-bin log-magnitude statistics, 1-D power spectrum; "
              f"{budget_text(record)} per run, seeds {seeds}](figures/nonspatial_distributions.png)\n"]
    if any(c.key in r["metrics"] for r in record["runs"] for c in DESCRIPTOR_COLUMNS):
        lines += [DESCRIPTOR_TEXT, markdown_table(record, DESCRIPTOR_COLUMNS)]
    return "\n".join(lines)


DESCRIPTOR_TEXT = (
    "### The descriptor distance, term by term\n\n"
    "The results table's descriptor distance is the mean of these standardised Wasserstein-1 distances "
    "(each descriptor standardised by the reference kicks' mean and standard deviation; "
    "`kickgan.audio.descriptors` defines them), read from `experiment.json`. The copy row is the training "
    "kicks themselves: a large value there is a descriptor on which the reference kits differ from the "
    "training kits, where a model that learns its training kicks well scores badly too.\n"
)


def write_analysis(folder: str | Path, n: int = 64, reference: str | None = None,
                   log: Callable[[str], None] = print) -> list[Path]:
    """Analyse the experiment in ``folder``; write analysis.json, analysis.md and two figures; return the paths."""
    from kickgan.experiment.analysis_figures import write_analysis_figures

    folder = Path(folder)
    record = load_record(folder)
    result = analyse(record, folder, n, reference, log)
    write_json(folder / "analysis.json", _jsonable(result))
    write_text(folder / "analysis.md", analysis_markdown(result, record))
    write_text(folder / "ablation.md", f"# Ablations: {record['name']}\n\n{ablation_markdown(record)}")
    return ([folder / "analysis.json", folder / "analysis.md", folder / "ablation.md"]
            + write_analysis_figures(result, record, folder))


def _real(record: dict, folder: Path, reference: str | None) -> tuple[np.ndarray, str]:
    """The real clips ``[N,T]`` and where they came from: ``reference`` (a dataset split or a folder of
    audio), else the experiment's reference split when its dataset resolves, else the report's real WAVs."""
    from kickgan.data.dataset import load_clips

    sr, length = int(record["dataset"]["sr"]), int(record["dataset"]["length"])
    data = Path(record["spec"].get("data") or folder / "no-dataset")
    if reference is None and (data / "dataset.json").is_file():
        reference = f"{data}:{record['spec']['eval']['reference']}"
    if reference is not None:
        return load_clips(reference, sr, length)[0], reference
    clips = _read_wavs(folder, record["real"].get("audio", []), sr)
    if len(clips) == 0:
        raise KickganError(f"{folder}: no real kicks to compare with (no dataset at '{data}', no audio/real WAVs; "
                           "give --reference)")
    return clips, "the report's real WAVs"


def _checkpoint(folder: Path, run: dict) -> Path | None:
    ckpts = Path(folder) / run.get("dir", "") / "checkpoints"
    return next((p for p in (ckpts / f"{run.get('checkpoint', 'best')}.pt", ckpts / "latest.pt") if p.is_file()), None)


def _read_wavs(folder: Path, paths: list[str], sr: int) -> np.ndarray:
    clips = []
    for rel in paths:
        if (Path(folder) / rel).is_file():
            y, file_sr = read_audio(Path(folder) / rel)
            if file_sr != sr:
                raise KickganError(f"{Path(folder) / rel}: {file_sr} Hz, the experiment is at {sr} Hz")
            clips.append(y.mean(axis=0))
    if not clips:
        return np.zeros((0, 1), dtype=np.float32)
    length = min(len(c) for c in clips)
    return np.stack([c[:length] for c in clips])


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3g}"


def _jsonable(obj):
    """Arrays to lists, floats to 5 significant digits and NaN to None, recursively."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in (obj.tolist() if isinstance(obj, np.ndarray) else obj)]
    if isinstance(obj, float):
        return float(f"{obj:.5g}") if math.isfinite(obj) else None
    return obj
