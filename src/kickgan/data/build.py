"""``build_dataset``: messy sample folders in, a clean kick dataset folder out.

Steps: find the kicks (:mod:`kickgan.data.sources`), read and check each file
(:mod:`kickgan.data.quality`), prepare it (:func:`kickgan.audio.prepare_clip`),
drop exact duplicates (same decoded samples) and near-duplicates
(:mod:`kickgan.data.dedupe`), split by kit (:mod:`kickgan.data.split`), write.

Everything is written into a staging folder beside ``out``; ``dataset.json``
(``"complete": true``) is written last, and only then does the staging folder
replace ``out``. An interrupted build leaves ``out`` as it was (a previous
dataset stays whole) and removes its staging folder; one killed outright (SIGKILL,
power loss) leaves ``.NAME.building-PID``, which the next build of ``NAME`` removes
once that process is gone (and a ``.NAME.old-PID`` left between the two renames of
the install goes back to ``NAME`` if that is missing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from kickgan import __version__
from kickgan.audio.preprocess import NORMALIZE_KINDS, prepare_clip
from kickgan.data.dataset import FORMAT, SPLITS, is_dataset
from kickgan.data.dedupe import find_near_duplicates, fingerprint
from kickgan.data.quality import REASONS, Rejected, check_file
from kickgan.data.sources import Candidate, discover
from kickgan.data.summary import MIN_TRAIN, format_summary
from kickgan.data.split import split_by_kit
from kickgan.errors import KickganError, ParameterError
from kickgan.io import atomic_path, write_json, write_text, write_wav


@dataclass
class Build:
    """The result of a build: ``info`` (as in ``dataset.json``) and one manifest record per input file."""

    out: Path
    info: dict
    records: list[dict]


def build_dataset(
    sources: list[str | Path],
    out: str | Path,
    *,
    sr: int = 16000,
    length: int = 16384,
    all_kicks: bool = False,
    exclude: tuple[str, ...] = (),
    seed: int = 0,
    normalize: str | None = "peak",
    progress: bool = False,
    allow_small: bool = False,
) -> Build:
    """Build a dataset folder at ``out`` from ``sources`` (folders or files); see the module docstring.

    ``sr``, ``length`` and ``normalize`` go to :func:`prepare_clip`; ``all_kicks`` and ``exclude``
    (glob patterns) to :func:`discover`; ``seed`` to :func:`split_by_kit`; ``progress`` shows a
    progress bar on a terminal. A dataset too small to train on is refused unless ``allow_small``
    (the summary says what each dataset can and cannot be used for).

    Raises:
        KickganError: a missing source, an ``out`` that holds something other than
            a dataset, or no usable kick at all.
    """
    sources, out = [Path(s) for s in sources], Path(out)
    clean_stale(out)
    _check_args(sources, out, sr, length, normalize)
    found = discover(sources, all_kicks, tuple(exclude))
    if not found.candidates:
        raise KickganError(
            f"no kick files in {', '.join(map(str, sources))} ({found.not_kicks} audio files not named as kicks, "
            f"{found.excluded} excluded); use --all if every file is a kick"
        )
    records, items = _read_all(found.candidates, progress, sr, length, normalize)
    kept = _dedupe(records, items)
    clips = {i: items[i].clip for i in kept}
    if not kept:
        raise KickganError(f"no usable kicks: all {len(records)} candidate files were rejected ({_reasons(records)})")
    split_names, split_by = split_by_kit([records[i]["kit"] for i in kept], seed)
    splits = {s: split_names.count(s) for s in SPLITS}
    if splits["train"] < MIN_TRAIN and not allow_small:
        raise KickganError(f"only {len(kept)} usable kick(s) (train {splits['train']}, val {splits['val']}, test "
                           f"{splits['test']}): too few to train on (kickgan train needs {MIN_TRAIN} in train); add "
                           f"kicks, or pass --allow-small to build it anyway")
    info = {
        "format": FORMAT, "complete": True, "sr": sr, "length": length, "split_by": split_by, "seed": seed,
        "normalize": normalize, "splits": splits,
        "kits": {s: sorted({records[i]["kit"] for i, n in zip(kept, split_names) if n == s}) for s in SPLITS},
        "n_files": len(records), "n_kept": len(kept), "rejected": _reason_counts(records),
        "n_clipped": sum(bool(records[i]["clipped"]) for i in kept),
        "n_band_limited": sum(records[i]["band_limit_hz"] < sr / 2 for i in kept), "not_kicks": found.not_kicks,
        "excluded": found.excluded, "sources": [str(s) for s in sources], "all": all_kicks,
        "exclude": list(exclude), "kickgan": __version__,
    }
    _write(out, info, records, clips, kept, split_names)
    return Build(out, info, records)


def _check_args(sources: list[Path], out: Path, sr: int, length: int, normalize: str | None) -> None:
    if not isinstance(sr, int) or not 8000 <= sr <= 192000:
        raise ParameterError(f"--sr must be an integer from 8000 to 192000 Hz, got {sr}")
    if not isinstance(length, int) or length < 256:
        raise ParameterError(f"--length must be an integer of at least 256 samples, got {length}")
    if normalize not in NORMALIZE_KINDS:
        raise ParameterError(f"normalize must be one of {NORMALIZE_KINDS}, got {normalize!r}")
    for src in sources:
        if not src.exists():
            raise KickganError(f"{src}: no such file or folder")
        if not (src.is_file() or src.is_dir()):
            raise KickganError(f"{src}: not a file or folder (a pipe or device?); give audio files or folders of them")
        s, o = src.resolve(), out.resolve()
        if s == o or s in o.parents or o in s.parents:
            raise KickganError(f"--out {out}: must not lie inside the source {src}, nor the source inside it")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not is_dataset(out))):
        raise KickganError(f"--out {out}: exists and is not a kickgan dataset; choose a new or empty folder")


@dataclass(frozen=True)
class _Item:
    """What the builder keeps of a file that passed its checks (the decoded audio is dropped at once)."""

    sr: int
    content_sha256: str
    clip: np.ndarray  # [length], prepared
    fp: np.ndarray  # the near-duplicate fingerprint


def _read_all(cands: list[Candidate], progress: bool, sr: int, length: int, normalize) -> tuple[list[dict], dict]:
    """A manifest record per candidate (rejections filled in) and an ``_Item`` per file that passed."""
    records, items = [], {}
    for i, cand in enumerate(tqdm(cands, desc="reading", unit="file", disable=None if progress else True)):
        rec = _record(i, cand)
        try:
            c = check_file(cand.path)
        except Rejected as rej:
            rec.update(status="rejected", reason=rej.reason, detail=rej.detail)
        else:
            clip = prepare_clip(c.y, c.sr, sr, length, normalize=normalize)
            items[i] = _Item(c.sr, c.content_sha256, clip, fingerprint(c.y, c.sr))
            rec.update(
                sha256=c.sha256, content_sha256=c.content_sha256, orig_sr=c.sr, orig_channels=c.y.shape[0],
                orig_frames=c.y.shape[1], orig_duration=round(c.y.shape[1] / c.sr, 6), orig_subtype=c.subtype,
                clipped=c.clipped, clipped_fraction=round(c.clipped_fraction, 6),
                band_limit_hz=min(c.sr, sr) / 2,
            )
        records.append(rec)
    return records, items


def _record(i: int, cand: Candidate) -> dict:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{cand.kit} {cand.instrument or ''} {cand.path.stem}".lower()).strip("-")
    layer = "" if cand.layer is None else f"-l{cand.layer}"
    return {
        "id": f"{i:05d}-{slug[:48].rstrip('-')}{layer}", "status": "kept", "reason": None, "detail": None,
        "source": str(cand.path), "kit": cand.kit, "instrument": cand.instrument, "layer": cand.layer,
        "velocity": list(cand.velocity) if cand.velocity else None, "sha256": None, "content_sha256": None,
        "orig_sr": None, "orig_channels": None, "orig_frames": None, "orig_duration": None, "orig_subtype": None,
        "band_limit_hz": None, "clipped": None, "clipped_fraction": None, "duplicate_of": None, "similarity": None,
        "split": None, "index": None, "file": None,
    }


def _dedupe(records: list[dict], items: dict[int, _Item]) -> list[int]:
    """Mark exact and near duplicates in ``records``; the indices kept (of equals, the highest rate, then the first)."""
    order = sorted(items, key=lambda i: (-items[i].sr, i))
    first: dict[str, int] = {}
    unique = []
    for i in order:
        j = first.setdefault(items[i].content_sha256, i)
        if j != i:
            _mark_duplicate(records[i], records[j], "duplicate", 1.0)
        else:
            unique.append(i)
    fps = np.stack([items[i].fp for i in unique]) if unique else np.zeros((0, 1), np.float32)
    groups = [f"{records[i]['kit']}\0{records[i]['instrument']}" if records[i]["layer"] is not None else None
              for i in unique]
    near = find_near_duplicates(fps, groups)
    for a, (b, sim) in near.items():
        _mark_duplicate(records[unique[a]], records[unique[b]], "near-duplicate", sim)
    return sorted(i for k, i in enumerate(unique) if k not in near)


def _mark_duplicate(rec: dict, of: dict, reason: str, sim: float) -> None:
    rec.update(status="rejected", reason=reason, duplicate_of=of["id"], similarity=round(sim, 5),
               detail=f"{REASONS[reason]}: {of['source']}")


def _write(out: Path, info: dict, records: list[dict], clips: dict, kept: list[int], split_names: list[str]) -> None:
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for split in SPLITS:
            rows = [i for i, s in zip(kept, split_names) if s == split]
            for index, i in enumerate(rows):
                rec = records[i]
                rec.update(split=split, index=index, file=f"audio/{split}/{rec['id']}.wav")
                write_wav(staging / rec["file"], clips[i], info["sr"])
            array = np.stack([clips[i] for i in rows]) if rows else np.zeros((0, info["length"]), np.float32)
            with atomic_path(staging / f"{split}.npy") as tmp:
                np.save(tmp, array.astype(np.float32), allow_pickle=False)
        write_text(staging / "manifest.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        write_text(staging / "summary.txt", format_summary(info, records, verbose=True))
        write_json(staging / "dataset.json", info)
        _install(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _install(staging: Path, out: Path) -> None:
    """Replace ``out`` by the finished ``staging`` folder (two renames; the old one is then removed)."""
    if not out.exists():
        os.replace(staging, out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def clean_stale(out: Path) -> list[Path]:
    """Remove the staging folders that killed builds of ``out`` left beside it (their process is gone);
    a dataset moved aside by a build killed mid-install goes back to ``out`` if ``out`` is missing.
    Returns what was removed or restored."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(building|old)-(\d+)")
    done = []
    for path in sorted(out.parent.glob(f".{out.name}.*-*")) if out.parent.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if not match or _alive(int(match.group(2))):
            continue
        if match.group(1) == "old" and not out.exists():
            os.replace(path, out)  # killed between the two renames of _install: the dataset goes back
        else:
            shutil.rmtree(path, ignore_errors=True)
        done.append(path)
    return done


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _reason_counts(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in records:
        if r["reason"]:
            counts[r["reason"]] = counts.get(r["reason"], 0) + 1
    return dict(sorted(counts.items()))


def _reasons(records: list[dict]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in _reason_counts(records).items())
