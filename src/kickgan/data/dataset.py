"""Read a kickgan dataset folder, or any folder of audio files, as clips.

A dataset folder (written by :func:`kickgan.data.build.build_dataset`)::

    DIR/dataset.json        {"format": "kickgan-dataset/1", "complete": true, "sr", "length", "split_by", "splits", ...}
    DIR/manifest.jsonl      one record per input file, kept or not
    DIR/audio/<split>/<id>.wav
    DIR/<split>.npy         float32 [N, length]

``dataset.json`` is written last: a folder without it, or with ``"complete": false``,
is not a dataset and is refused.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from kickgan.audio.preprocess import prepare_clip
from kickgan.errors import KickganError, ParameterError
from kickgan.io import AUDIO_EXTENSIONS, read_audio, read_json, read_jsonl

FORMAT = "kickgan-dataset/1"
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Split:
    """One split of a dataset: ``clips [N, length]`` float32 at ``sr``, with each clip's id and kit,
    and the ``normalize`` the dataset was built with (``peak``, ``loudness`` or None)."""

    clips: np.ndarray
    sr: int
    length: int
    names: list[str]
    kits: list[str]
    normalize: str | None = "peak"


def read_info(root: str | Path) -> dict:
    """The ``dataset.json`` of a complete dataset; a ``KickganError`` for anything else."""
    root = Path(root)
    path = root / "dataset.json"
    if not path.exists():
        raise KickganError(f"{root}: not a kickgan dataset (no dataset.json; was its build interrupted?)")
    info = read_json(path)
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise KickganError(f"{path}: not a {FORMAT} file")
    if info.get("complete") is not True:
        raise KickganError(f"{root}: dataset is incomplete (its build did not finish); build it again")
    return info


def is_dataset(root: str | Path) -> bool:
    """Whether ``root`` holds a ``dataset.json`` (complete or not)."""
    return (Path(root) / "dataset.json").is_file()


def read_manifest(root: str | Path) -> list[dict]:
    """Every record of ``DIR/manifest.jsonl``, kept and rejected, in build order."""
    path = Path(root) / "manifest.jsonl"
    if not path.exists():
        raise KickganError(f"{path}: no such file")
    return read_jsonl(path)


def load_split(root: str | Path, split: str) -> Split:
    """Load one split (``train``, ``val`` or ``test``) of a complete dataset.

    Returns a :class:`Split` whose ``clips [N, length]`` come from ``DIR/<split>.npy``
    and whose ``names``/``kits`` come from the manifest, row for row.
    """
    if split not in SPLITS:
        raise ParameterError(f"split must be one of {SPLITS}, got {split!r}")
    root = Path(root)
    info = read_info(root)
    path = root / f"{split}.npy"
    try:
        clips = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise KickganError(f"{path}: cannot load ({exc})") from None
    rows = sorted((r for r in read_manifest(root) if r.get("split") == split), key=lambda r: r["index"])
    length = int(info["length"])
    if clips.dtype != np.float32 or clips.ndim != 2 or clips.shape[1] != length or len(rows) != len(clips):
        raise KickganError(
            f"{path}: shape {clips.shape} {clips.dtype} does not match the manifest "
            f"({len(rows)} clips of {length} float32 samples)"
        )
    names, kits = [r["id"] for r in rows], [r["kit"] for r in rows]
    return Split(clips, int(info["sr"]), length, names, kits, info.get("normalize", "peak"))


def load_clips(spec: str, sr: int, length: int) -> tuple[np.ndarray, list[str]]:
    """Clips to score or train on, from ``"DIR"`` (a dataset: its test split), ``"DIR:split"``,
    or any folder of audio files (each prepared with :func:`prepare_clip`).

    Returns ``clips [N, length]`` float32 at ``sr`` and one name per clip. A
    dataset stored at another rate or length is converted with ``prepare_clip``
    and the dataset's own normalisation.
    """
    root, split = _parse_spec(spec)
    if is_dataset(root):
        data = load_split(root, split or "test")
        if len(data.clips) == 0:
            raise KickganError(f"{spec}: the {split or 'test'} split is empty")
        if (data.sr, data.length) == (sr, length):
            return data.clips, data.names
        clips = [prepare_clip(y, data.sr, sr, length, normalize=data.normalize) for y in data.clips]
        return np.stack(clips), data.names
    if split is not None:
        raise KickganError(f"{spec}: '{root}' is not a kickgan dataset, so it has no '{split}' split")
    return _load_folder(root, sr, length)


def band_limits(spec: str, names: list[str], sr: int) -> np.ndarray:
    """The band limit (Hz) of each clip ``load_clips(spec, sr, ...)`` returned as ``names``: the Nyquist
    frequency of the lowest rate it passed through (its source file, the dataset, ``sr``) ``[N]``.

    A dataset's manifest records each kept file's ``band_limit_hz`` (older manifests: ``orig_sr``);
    an audio folder's files are asked for their rate.
    """
    root, _ = _parse_spec(spec)
    if is_dataset(root):
        info = read_info(root)
        records = {r["id"]: r for r in read_manifest(root)}
        limits = [records[n].get("band_limit_hz") or min(records[n]["orig_sr"], info["sr"]) / 2 for n in names]
    else:
        limits = [sf.info(str(root / n)).samplerate / 2 for n in names]
    return np.minimum(np.asarray(limits, dtype=np.float64), sr / 2)


def file_paths(spec: str, names: list[str]) -> list[Path] | None:
    """The audio files ``load_clips(spec, ...)`` read as ``names``, or ``None`` for a dataset (its clips
    are the audio it stores)."""
    root, _ = _parse_spec(spec)
    return None if is_dataset(root) else [root / n for n in names]


def _parse_spec(spec: str) -> tuple[Path, str | None]:
    head, sep, tail = str(spec).rpartition(":")
    if sep and tail in SPLITS:
        return Path(head), tail
    return Path(spec), None


def _load_folder(root: Path, sr: int, length: int) -> tuple[np.ndarray, list[str]]:
    if not root.is_dir():
        raise KickganError(f"{root}: no such folder")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file())
    clips, names = [], []
    for path in files:
        try:
            y, file_sr = read_audio(path)
            if y.shape[1] == 0 or not np.isfinite(y).all():
                raise KickganError(f"{path}: empty or non-finite audio")
        except KickganError as exc:
            print(f"warning: skipped {exc}", file=sys.stderr)
            continue
        clips.append(prepare_clip(y, file_sr, sr, length))
        names.append(str(path.relative_to(root)))
    if not clips:
        raise KickganError(f"{root}: no readable audio files ({', '.join(AUDIO_EXTENSIONS)})")
    return np.stack(clips), names
