"""Score generated (or any) kicks against real ones, with two baselines.

``evaluate(GEN, REF, TRAIN)`` loads or generates the clips, extracts their features
(:mod:`kickgan.metrics.features`; real sets cached by content hash), runs the
registered metrics and returns a report whose ``results`` hold three flat dicts:

- ``generated``: GEN against REF (memorisation against TRAIN);
- ``real_floor``: REF split in two random halves, one against the other: what real
  kicks score against real kicks of the same size (the best a generator can hope for;
  FD is biased upward for small sets, so compare FD with FD at the same set size);
- ``copy_train``: TRAIN against REF: what a generator that copies its training data
  would score (near-perfect FD/KID, and memorisation that gives it away).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from kickgan.errors import KickganError, ParameterError
from kickgan.metrics import embedding
from kickgan.metrics.cache import cached_features, default_cache_dir
from kickgan.metrics.features import Features, extract, with_band_limits, with_file_edges
from kickgan.metrics.registry import log_record, resolve

DEFAULT_SR = 44100
DEFAULT_LENGTH = 44100
BASELINES = ("generated", "real_floor", "copy_train")


def score(gen: Features, ref: Features, train: Features | None = None, metrics: list[str] | None = None) -> dict:
    """One flat dict from every metric named in ``metrics`` (all when ``None``).

    Metrics that need a training set are skipped when ``train`` is ``None``.
    """
    out: dict = {}
    for metric in resolve(metrics):
        if metric.needs_train and train is None:
            continue
        out.update(metric.fn(gen, ref, train))
    return out


def halves(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random split of ``range(n)`` into two halves (the first gets the odd one out)."""
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: (n + 1) // 2]), np.sort(perm[(n + 1) // 2 :])


def score_with_baselines(
    gen: Features, ref: Features, train: Features | None = None, metrics: list[str] | None = None
) -> dict[str, dict]:
    """``{"generated", "real_floor", "copy_train"}`` -> flat dict; a baseline that cannot be
    computed (no TRAIN; fewer than 4 reference clips) is left out."""
    results = {"generated": score(gen, ref, train, metrics)}
    if len(ref) >= 4:
        a, b = halves(len(ref))
        results["real_floor"] = score(ref.take(a), ref.take(b), train, metrics)
    if train is not None:
        results["copy_train"] = score(train, ref, train, metrics)
    return results


def evaluate_clips(
    gen: tuple[np.ndarray, list[str]],
    reference: tuple[np.ndarray, list[str]],
    sr: int,
    train: tuple[np.ndarray, list[str]] | None = None,
    *,
    metrics: list[str] | None = None,
    cache_dir: str | Path | None = None,
    batch_size: int = 64,
    progress: bool = True,
    band_limits: dict[str, np.ndarray] | None = None,
    file_edges: dict[str, np.ndarray] | None = None,
) -> dict:
    """Score ``(clips [N,T], names)`` sets at ``sr``: the library core of :func:`evaluate`.

    Returns ``{"results": {baseline: flat dict}, "n": {...}, "cached": {...}, "seconds": {...}}``.
    The reference and training features are cached in ``cache_dir`` (``None``: no cache).
    ``band_limits``: ``{"generated" | "reference" | "train": [N] Hz}``, each clip's band limit
    (:func:`kickgan.data.dataset.band_limits`), for the band metric's counts; missing: unknown.
    ``file_edges``: the same keys, ``[N,4]`` edges of the sets' files as written
    (:func:`kickgan.metrics.edges.file_edges`); missing: the edges of the clips.
    """
    limits, edges = band_limits or {}, file_edges or {}
    if metrics is not None:
        resolve(metrics)  # fail on a bad name before any work
    t0 = time.perf_counter()
    gen_f = extract(gen[0], sr, gen[1], batch_size=batch_size, label="generated", progress=progress)
    gen_f = with_file_edges(with_band_limits(gen_f, limits.get("generated")), edges.get("generated"))
    t1 = time.perf_counter()
    cache = Path(cache_dir) if cache_dir is not None else None
    cached = {}
    ref_f, cached["reference"] = _real_features(reference, sr, "reference", cache, batch_size, progress)
    ref_f = with_file_edges(with_band_limits(ref_f, limits.get("reference")), edges.get("reference"))
    train_f = None
    if train is not None:
        train_f, cached["train"] = _real_features(train, sr, "train", cache, batch_size, progress)
        train_f = with_file_edges(with_band_limits(train_f, limits.get("train")), edges.get("train"))
    t2 = time.perf_counter()
    results = score_with_baselines(gen_f, ref_f, train_f, metrics)
    t3 = time.perf_counter()
    n = {"generated": len(gen_f), "reference": len(ref_f), "train": len(train_f) if train_f is not None else 0}
    seconds = {"features_generated": t1 - t0, "features_real": t2 - t1, "metrics": t3 - t2}
    return {"results": results, "n": n, "cached": cached, "seconds": seconds}


def _real_features(data, sr, label, cache, batch_size, progress) -> tuple[Features, bool]:
    clips, names = data
    return cached_features(
        clips, sr, names, lambda: extract(clips, sr, names, batch_size=batch_size, label=label, progress=progress), cache
    )


def is_checkpoint(path: str | Path) -> bool:
    """Whether ``path`` is a checkpoint file (``.pt``) or a training run folder."""
    path = Path(path)
    if path.is_file():
        return path.suffix == ".pt"
    return (path / "checkpoints").is_dir() or (path / "training_options.json").is_file()


def generate_clips(path: str | Path, n: int, batch_size: int = 64, progress: bool = True, raw: bool = False):
    """``n`` kicks of seeds ``0..n-1`` from a checkpoint, with a file's start and end (``raw``: as
    decoded; :meth:`kickgan.sampler.KickSampler.generate`): ``(clips [n,T], names, sr, length, hash)``."""
    from kickgan.sampler import KickSampler

    sampler = KickSampler.from_checkpoint(path)
    chunks = []
    for start in tqdm(range(0, n, batch_size), desc="generating", unit="batch", disable=not progress, leave=False):
        chunks.append(np.asarray(sampler.generate(list(range(start, min(n, start + batch_size))), raw=raw), np.float32))
    names = [f"kick_s{s:06d}" for s in range(n)]
    return np.concatenate(chunks), names, sampler.sr, sampler.length, sampler.checkpoint_hash


def evaluate(
    gen: str | Path,
    reference: str,
    train: str | None = None,
    n: int = 1000,
    *,
    sr: int | None = None,
    length: int | None = None,
    metrics: list[str] | None = None,
    cache_dir: str | Path | None = "default",
    batch_size: int = 64,
    log: str | Path | None = None,
    progress: bool = True,
    raw: bool = False,
) -> dict:
    """Score GEN (a checkpoint, run folder, dataset spec or audio folder) against REF.

    Args:
        gen: a checkpoint/run folder (its EMA generator makes ``n`` kicks, seeds 0..n-1)
            or anything :func:`kickgan.data.dataset.load_clips` reads (at most ``n`` clips).
        reference, train: dataset specs (``DIR`` = test split, ``DIR:split``) or audio folders.
        sr, length: the common rate and length of every set. By default a checkpoint imposes its
            own, else the reference dataset's, else 44.1 kHz and 1 s; given with a checkpoint, its
            kicks are resampled and cut or zero-padded to them, as ``kickgan experiment`` scores a run.
        cache_dir: where real-set features are cached (``"default"``: :func:`default_cache_dir`;
            ``None``: no cache).
        log: a JSONL file to append ``{"results": generated, "gen", "reference", ...}`` to.
        raw: score a checkpoint's waves as decoded, without the start and end its files get.
    Returns:
        the report: sources, sizes, ``embedding``, ``metrics`` (name -> paper), ``results``
        (baseline -> flat dict) and timings.
    """
    from kickgan.audio.preprocess import to_rate_and_length
    from kickgan.data.dataset import band_limits, file_paths, load_clips
    from kickgan.metrics.edges import file_edges

    if n < 2:
        raise ParameterError(f"--n: need at least 2 clips, got {n}")
    names_papers = {m.name: m.paper for m in resolve(metrics)}
    for spec, option in ((gen, "GEN"), (reference, "--reference"), (train, "--train")):
        if spec is not None:
            _check_exists(spec, option)
    t0 = time.perf_counter()
    source = {"source": str(gen)}
    if is_checkpoint(gen):
        gen_clips, gen_names, own_sr, own_length, digest = generate_clips(gen, n, batch_size, progress, raw)
        source.update(checkpoint_hash=digest, raw=raw)
        sr, length = sr or own_sr, length or own_length
        gen_clips = to_rate_and_length(gen_clips, own_sr, sr, length)  # as kickgan experiment scores a run
        limits = {"generated": np.full(len(gen_clips), min(own_sr, sr) / 2)}  # made at its own rate
    else:
        sr, length = _rate_and_length(reference, sr, length)
        gen_clips, gen_names = load_clips(str(gen), sr, length)
        gen_clips, gen_names = gen_clips[:n], gen_names[:n]
        limits = {"generated": band_limits(str(gen), gen_names, sr)}
    t_gen = time.perf_counter() - t0
    ref = load_clips(reference, sr, length)
    limits["reference"] = band_limits(reference, ref[1], sr)
    train_set = load_clips(train, sr, length) if train is not None else None
    if train_set is not None:
        limits["train"] = band_limits(train, train_set[1], sr)
    sets = {"generated": (gen, gen_names), "reference": (reference, ref[1])}
    if train_set is not None:
        sets["train"] = (train, train_set[1])
    edges = {}  # files are scored as written, not as prepared (a checkpoint's kicks are already its files)
    for key, (spec, names) in sets.items():
        paths = None if key == "generated" and is_checkpoint(gen) else file_paths(str(spec), names)
        if paths is not None:
            edges[key] = file_edges(paths)
    cache = default_cache_dir() if cache_dir == "default" else cache_dir
    core = evaluate_clips(
        (gen_clips, gen_names), ref, sr, train_set, metrics=metrics, cache_dir=cache, batch_size=batch_size,
        progress=progress, band_limits=limits, file_edges=edges,
    )
    report = {
        "embedding": embedding.NAME,
        "sr": sr,
        "length": length,
        "generated": {**source, "n": core["n"]["generated"]},
        "reference": {"source": str(reference), "n": core["n"]["reference"]},
        "train": {"source": str(train), "n": core["n"]["train"]} if train is not None else None,
        "metrics": names_papers,
        "results": core["results"],
        "cached": core["cached"],
        "seconds": {"load_or_generate": t_gen, **core["seconds"], "total": time.perf_counter() - t0},
    }
    if log is not None:
        log_record(log, report["results"]["generated"], gen=report["generated"], reference=report["reference"],
                   train=report["train"], embedding=embedding.NAME)
    return report


def _spec_root(spec: str | Path) -> Path:
    """The folder of a ``DIR`` / ``DIR:split`` spec, or the path itself."""
    from kickgan.data.dataset import SPLITS

    head, sep, tail = str(spec).rpartition(":")
    return Path(head) if sep and tail in SPLITS else Path(spec)


def _check_exists(spec: str | Path, option: str) -> None:
    if not _spec_root(spec).exists():
        raise KickganError(f"{option} {spec}: no such file or folder")


def _rate_and_length(reference: str, sr: int | None, length: int | None) -> tuple[int, int]:
    from kickgan.data.dataset import is_dataset, read_info

    root = _spec_root(reference)
    info = read_info(root) if is_dataset(root) else {}
    return int(sr or info.get("sr", DEFAULT_SR)), int(length or info.get("length", DEFAULT_LENGTH))


def format_table(report: dict) -> str:
    """The report as a text table: one row per result, one column per baseline."""
    results = report["results"]
    cols = [b for b in BASELINES if b in results]
    keys = [k for k in results["generated"] if not isinstance(results["generated"][k], str)]
    width = max(len(k) for k in keys) if keys else 10
    lines = [
        f"embedding: {report['embedding']}   sr {report['sr']} Hz, {report['length']} samples",
        f"generated: {report['generated']['source']} ({report['generated']['n']} clips)",
        f"reference: {report['reference']['source']} ({report['reference']['n']} clips)",
    ]
    if report.get("train"):
        lines.append(f"train:     {report['train']['source']} ({report['train']['n']} clips)")
    lines += ["", f"{'metric':<{width}}  " + "  ".join(f"{c:>12}" for c in cols)]
    for key in keys:
        lines.append(f"{key:<{width}}  " + "  ".join(f"{_fmt(results[c].get(key)):>12}" for c in cols))
    text = {k: v for k, v in results["generated"].items() if isinstance(v, str) and v}
    lines += [""] + [f"{k}: {v}" for k, v in text.items()]
    return "\n".join(lines).rstrip() + "\n"


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if not math.isfinite(value):
        return "nan"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:.4f}"
