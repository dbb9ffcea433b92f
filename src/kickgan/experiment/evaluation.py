"""What the experiment measures, thin over :mod:`kickgan.metrics`: each run's checkpoint, the real
reference set, the two baselines, and each representation's round trip (its ceiling).

Everything returned is plain JSON-able data for ``experiment.json``; audio for the gallery is
written under ``OUT/audio``. Real-set features are cached in ``OUT/cache`` by the metrics' own
content-hash cache.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from kickgan.audio.preprocess import to_rate_and_length
from kickgan.config import TrainConfig
from kickgan.data.dataset import band_limits, load_clips, load_split, read_info
from kickgan.experiment.record import curves_from_stats
from kickgan.experiment.spec import ExperimentSpec, ModelEntry
from kickgan.io import read_json, read_jsonl, write_json, write_wav
from kickgan.metrics.artefacts import N_FFT, average_spectrum_db, clip_power
from kickgan.audio.descriptors import NAMES, describe
from kickgan.metrics.evaluate import evaluate_clips
from kickgan.metrics.registry import resolve
from kickgan.models import count_parameters, layer_table
from kickgan.models.family import family_of
from kickgan.sampler import KickSampler
from kickgan.spectral import SpecConfig, make_representation

REFERENCE = "reference.json"
CHUNK = 64


def device_name() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def model_info(entry: ModelEntry, cfg: TrainConfig) -> dict:
    """The resolved config and the model family's networks' layer tables (block, output shape,
    parameters), by network name (GAN: ``G`` and ``D``)."""
    nets = family_of(cfg.model).build_networks(cfg.model, tuple(cfg.representation.shape))
    return {
        "name": entry.name,
        "config_file": entry.config,
        "config": cfg.to_dict(),
        "inputs": {name: list(shape) for name, (_, shape) in nets.items()},
        "layers": {name: [list(row) for row in layer_table(net, shape)] for name, (net, shape) in nets.items()},
        "params": {name: count_parameters(net) for name, (net, _) in nets.items()},
    }


def spectral_summary(clips: np.ndarray, sr: int) -> dict:
    """Per-clip descriptors ``{name: [N values]}`` and the averaged power spectrum in dB with its frequencies."""
    desc = describe(clips, sr)
    return {
        "descriptors": {name: desc[:, i].tolist() for i, name in enumerate(NAMES)},
        "power_spectrum": average_spectrum_db(clip_power(clips)).tolist(),
        "freqs": np.fft.rfftfreq(N_FFT, 1.0 / sr).tolist(),
    }


def at_data_rate(clips: np.ndarray, sr: int, spec: ExperimentSpec) -> tuple[np.ndarray, int, int]:
    """``clips [N,T]`` at ``sr`` brought to the experiment data's rate and length (resampled, then
    cut or zero-padded with a fade at the end of the content): ``(clips [N,T'], sr', T')``."""
    info = read_info(spec.data)
    target_sr, target_length = int(info["sr"]), int(info["length"])
    return to_rate_and_length(clips, sr, target_sr, target_length), target_sr, target_length


def _score(gen: np.ndarray, spec: ExperimentSpec, sr: int, length: int, out: Path, progress: bool) -> dict:
    """``evaluate_clips`` of ``gen [N,T]`` against the reference split (and the train split), at ``sr``."""
    ref_spec, train_spec = f"{spec.data}:{spec.eval.reference}", f"{spec.data}:{spec.eval.train}"
    ref, train = load_clips(ref_spec, sr, length), load_clips(train_spec, sr, length)
    limits = {"reference": band_limits(ref_spec, ref[1], sr), "train": band_limits(train_spec, train[1], sr)}
    names = [f"kick_s{i:06d}" for i in range(len(gen))]
    metrics = list(spec.eval.metrics) if spec.eval.metrics is not None else None
    report = evaluate_clips((gen, names), ref, sr, train, metrics=metrics, cache_dir=out / "cache", progress=progress,
                            band_limits=limits)
    return report["results"]


def score_run(run_dir: Path, cfg: TrainConfig, spec: ExperimentSpec, out: Path, gallery: bool,
              log: Callable[[str], None], progress: bool = False) -> dict:
    """Generate ``spec.eval.n`` kicks (seeds 0..n-1) from the run's checkpoint, time it, score them.

    ``gallery``: also write the first ``spec.gallery`` kicks to ``OUT/audio/<name>/``.
    """
    ckpt = run_dir / "checkpoints" / f"{spec.eval.checkpoint}.pt"
    if not ckpt.is_file():  # no periodic validation ran (a short budget): the last weights
        ckpt = run_dir / "checkpoints" / "latest.pt"
    sampler = KickSampler.from_checkpoint(ckpt, device=device_name())
    sampler.generate([0])  # warm-up: one-off costs (allocations, lazy imports) are not throughput
    start = time.perf_counter()
    gen = np.concatenate([sampler.generate(list(range(i, min(spec.eval.n, i + CHUNK))))
                          for i in range(0, spec.eval.n, CHUNK)])
    kicks_per_s = spec.eval.n / (time.perf_counter() - start)
    log(f"  scoring {spec.eval.n} kicks from {ckpt.relative_to(out)}")
    gen, sr, length = at_data_rate(gen, sampler.sr, spec)
    metrics = _score(gen, spec, sr, length, out, progress)["generated"]
    steps = [r for r in read_jsonl(run_dir / "stats.jsonl") if "time/step" in r]
    metrics["perf/s_per_iter"] = seconds_per_iteration(steps)
    metrics["perf/kicks_per_s"] = kicks_per_s
    audio = []
    if gallery:
        for i, y in enumerate(gen[: spec.gallery]):
            rel = f"audio/{cfg.name}/seed{i:04d}.wav"
            write_wav(out / rel, y, sr)
            audio.append(rel)
    return {
        "dir": str(run_dir.relative_to(out)),
        "checkpoint": ckpt.name,
        "checkpoint_step": _checkpoint_step(ckpt),
        "steps": int(steps[-1]["step"]),
        "train_seconds": float(steps[-1]["time"]),
        "metrics": metrics,
        "curves": curves_from_stats(run_dir / "stats.jsonl"),
        "audio": audio,
        **spectral_summary(gen, sr),
    }


def _checkpoint_step(ckpt: Path) -> int:
    """The step a checkpoint was written at, read without loading its weights into memory."""
    return int(torch.load(ckpt, map_location="cpu", weights_only=True, mmap=True)["step"])


def seconds_per_iteration(rows: list[dict]) -> float:
    """The median seconds of one training iteration, on the clock the run's budget counted: the steps
    of its ``time`` column (CPU seconds under ``budget_clock: cpu``), else its ``time/step`` (wall)."""
    steps = [r for r in rows if "time/step" in r]
    times = np.array([r["time"] for r in steps if "time" in r], dtype=float)
    per_step = np.diff(times) if len(times) == len(steps) and len(times) > 1 else [r["time/step"] for r in steps]
    return float(np.median(per_step))  # the median: robust to warm-up steps


def reference_summary(spec: ExperimentSpec, out: Path, configs: list[TrainConfig],
                      log: Callable[[str], None], progress: bool = False) -> dict:
    """The real reference set (gallery, descriptors, spectrum), the two baselines, and one round-trip
    row per spectrogram representation in ``configs``; cached in ``OUT/reference.json`` (recomputed
    when the dataset or the evaluation options change)."""
    key = json.dumps({"data": spec.data, "dataset": read_info(spec.data), "gallery": spec.gallery,
                      "eval": [spec.eval.reference, spec.eval.train, spec.eval.metrics]}, sort_keys=True)
    path = out / REFERENCE
    cached = read_json(path) if path.is_file() else {}
    if cached.get("key") != key:
        cached = {"key": key, "ceilings": {}}
        log(f"scoring the real {spec.eval.reference} split and the baselines")
        cached.update(_real(spec, out, progress))
        write_json(path, cached)
    ceilings = []
    for rep_cfg, users, data in _representations(configs):
        rep_key = json.dumps(rep_cfg, sort_keys=True) + ("" if data == spec.data else f" on {data}")
        if rep_key not in cached["ceilings"]:
            log(f"scoring the {rep_cfg['kind']} round trip of the real {spec.eval.reference} kicks")
            cached["ceilings"][rep_key] = _ceiling(rep_cfg, data, spec, out, progress)
            write_json(path, cached)
        ceilings.append({**cached["ceilings"][rep_key], "models": users})
    metric_notes = {m.name: m.paper for m in resolve(list(spec.eval.metrics) if spec.eval.metrics else None)}
    return {"real": cached["real"], "baselines": cached["baselines"], "ceilings": ceilings,
            "metric_notes": metric_notes}


def _real(spec: ExperimentSpec, out: Path, progress: bool) -> dict:
    split = load_split(spec.data, spec.eval.reference)
    audio = []
    for name, y in zip(split.names[: spec.gallery], split.clips):
        rel = f"audio/real/{name}.wav"
        write_wav(out / rel, y, split.sr)
        audio.append(rel)
    results = _score(split.clips, spec, split.sr, split.length, out, progress)
    baselines = {k: results[k] for k in ("real_floor", "copy_train") if k in results}
    return {"real": {"audio": audio, **spectral_summary(split.clips, split.sr)}, "baselines": baselines}


def _representations(configs: list[TrainConfig]) -> list[tuple[dict, list[str], str]]:
    """Each distinct spectrogram representation of ``configs`` (as a dict) and training dataset,
    with the configs that use them."""
    found: dict[str, tuple[dict, list[str], str]] = {}
    for cfg in configs:
        if cfg.representation.kind == "wave":
            continue
        rep = asdict(cfg.representation)
        users = found.setdefault(json.dumps([rep, cfg.data], sort_keys=True), (rep, [], cfg.data))[1]
        if cfg.name not in users:
            users.append(cfg.name)
    return list(found.values())


def _ceiling(rep_cfg: dict, data: str, spec: ExperimentSpec, out: Path, progress: bool) -> dict:
    """The real reference kicks of ``data`` encoded and decoded by one representation (statistics
    fitted on its train split), scored like a model."""
    cfg = SpecConfig(**rep_cfg)
    rep = make_representation(cfg)
    rep.fit(load_clips(f"{data}:{spec.eval.train}", cfg.sr, cfg.length)[0])
    ref, _ = load_clips(f"{data}:{spec.eval.reference}", cfg.sr, cfg.length)
    with torch.no_grad():
        wave = torch.from_numpy(ref)[:, None]
        back = torch.cat([rep.decode(rep.encode(wave[i : i + CHUNK])) for i in range(0, len(wave), CHUNK)])
    back, sr, length = at_data_rate(back.squeeze(1).numpy(), cfg.sr, spec)
    metrics = _score(back, spec, sr, length, out, progress)["generated"]
    inversion = cfg.inversion + (f" {cfg.gl_iters} it." if cfg.gl_iters else "")
    name = f"{cfg.kind} {cfg.n_fft}/{cfg.hop_length}, {cfg.n_freq} bins, {inversion}"
    if data != spec.data:
        name += f", {cfg.sr / 1000:g} kHz on {Path(data).name}"
    return {"name": name, "representation": rep_cfg, "metrics": metrics}
