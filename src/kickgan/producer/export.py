"""Turn a generated kick into a file a producer can use, with a sidecar that finds it again.

The finishing chain (:func:`finish`), in order:

1. resample to the requested rate with soxr (:func:`kickgan.audio.preprocess.resample`);
2. :func:`kickgan.audio.preprocess.finish_edges`: remove DC; cut the leading silence so the attack
   starts at most ``LEAD_MS`` (1 ms) into the file and fade in (a half cosine from zero) over what is
   kept before it, but over at least ``FADE_IN_MS``: a model wave with energy at its first sample would
   otherwise start with a step, heard as a pop on every trigger (the length is measured in
   docs/producer.md); zero-pad back to the length, fading out the last ``EDGE_FADE_MS`` of the
   content, so the file never ends in a step;
3. set the level: peak at ``peak_db`` dBFS (-1 by default), or RMS at ``loudness_db`` dBFS
   with the peak still kept at or below ``peak_db``.

Files are named by seed (``kick_s000042.wav``) and each WAV gets a JSON sidecar
(``kick_s000042.json``) holding the checkpoint hash, the seed, the exact latent,
the controls and the truncation: enough to make the identical file again.
Nothing is ever overwritten unless ``force`` is given.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from kickgan import __version__
from kickgan.audio.preprocess import FADE_IN_MS, finish_edges, resample
from kickgan.errors import KickganError, ParameterError
from kickgan.io import read_json, write_json, write_wav

SIDECAR_FORMAT = "kickgan-kick/1"
_KICK_FILE = re.compile(r"kick_s(\d+)(\.wav|\.json)")  # the files of kick_name(seed)
SUBTYPES = {"16": "PCM_16", "24": "PCM_24", "32f": "FLOAT"}  # --bit-depth -> soundfile subtype


@dataclass(frozen=True)
class ExportOptions:
    """How a kick is written: rate (Hz), bit depth (``16``, ``24``, ``32f``) and level."""

    sr: int = 44100
    bit_depth: str = "16"
    peak_db: float = -1.0
    loudness_db: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.sr, (int, np.integer)) or not 8000 <= self.sr <= 192000:
            raise ParameterError(f"--sr: must be an integer rate from 8000 to 192000 Hz, got {self.sr!r}")
        if self.bit_depth not in SUBTYPES:
            raise ParameterError(f"--bit-depth: must be one of {', '.join(SUBTYPES)}, got {self.bit_depth!r}")
        if not -60.0 <= self.peak_db <= 0.0:
            raise ParameterError(f"--peak-db: must be from -60 to 0 dBFS, got {self.peak_db}")
        if self.loudness_db is not None and not -60.0 <= self.loudness_db <= 0.0:
            raise ParameterError(f"--loudness-db: must be from -60 to 0 dBFS, got {self.loudness_db}")


def finish(y: np.ndarray, sr: int, opts: ExportOptions, fade_in_ms: float = FADE_IN_MS) -> np.ndarray:
    """The finishing chain of the module docstring: ``y [T]`` at ``sr`` -> ``[T']`` float32 at ``opts.sr``.

    A silent clip stays silent. ``fade_in_ms`` is the shortest fade-in (0 turns it off, for measurements).
    """
    y = resample(np.asarray(y, dtype=np.float32), int(sr), opts.sr)
    y = finish_edges(y, opts.sr, fade_in_ms=fade_in_ms)
    return set_level(y, opts.peak_db, opts.loudness_db)


def set_level(y: np.ndarray, peak_db: float = -1.0, loudness_db: float | None = None) -> np.ndarray:
    """Scale ``y [T]`` to a peak of ``peak_db`` dBFS, or to an RMS of ``loudness_db`` dBFS whose
    peak stays at or below ``peak_db``."""
    peak = float(np.abs(y).max(initial=0.0))
    if peak == 0.0:
        return y.astype(np.float32)
    gain = 10 ** (peak_db / 20) / peak
    if loudness_db is not None:
        rms = float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))
        gain = min(gain, 10 ** (loudness_db / 20) / rms)
    return (y * gain).astype(np.float32)


def kick_name(seed: int) -> str:
    """The file stem of the kick of ``seed``: ``kick_s000042``."""
    return f"kick_s{int(seed):06d}"


def check_free(paths: Iterable[Path], force: bool) -> None:
    """Refuse (before anything is written) if any of ``paths`` exists and ``force`` is not set
    (``paths`` may be a generator: only the taken ones are kept)."""
    if force:
        return
    taken = [p for p in paths if p.exists()]
    if taken:
        more = f"; {len(taken) - 1} more files would be overwritten" if len(taken) > 1 else ""
        raise KickganError(f"{taken[0]}: already exists (use --force to overwrite{more})")


def check_seeds_free(out: Path, seeds: Sequence[int], force: bool) -> None:
    """:func:`check_free` for the kicks of ``seeds`` in ``out``, by reading the folder once rather than
    asking for every name: as fast for a hundred million seeds (a ``range``) as for ten."""
    if force or not out.is_dir():
        return
    wanted = seeds if isinstance(seeds, range) else set(seeds)
    taken = []
    for entry in os.scandir(out):
        match = _KICK_FILE.fullmatch(entry.name)
        if match and int(match[1]) in wanted and kick_name(int(match[1])) + match[2] == entry.name:
            taken.append(out / entry.name)
    check_free(sorted(taken, key=lambda p: (p.stem, p.suffix != ".wav")), force)  # the WAV named first


def write_kick(wav_path: Path, y: np.ndarray, opts: ExportOptions, sidecar: dict, force: bool = False) -> None:
    """Write the finished clip ``y [T]`` (at ``opts.sr``) and its sidecar beside it (``.json``); unless
    ``force``, each name is claimed atomically, so a file another process wrote meanwhile is never replaced."""
    write_wav(wav_path, y, opts.sr, subtype=SUBTYPES[opts.bit_depth], exclusive=not force)
    record = {"format": SIDECAR_FORMAT, "file": wav_path.name, **sidecar, "export": asdict(opts), "kickgan": __version__}
    write_json(wav_path.with_suffix(".json"), record, exclusive=not force)


def read_sidecar(path: str | Path) -> dict:
    """A kick's sidecar (the ``.json``, or the ``.wav`` beside it), checked for a latent and a hash."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        path = path.with_suffix(".json")
    record = read_json(path)
    if not isinstance(record, dict) or record.get("format") != SIDECAR_FORMAT:
        raise KickganError(f"{path}: not a kickgan kick sidecar ({SIDECAR_FORMAT})")
    for key in ("latent", "checkpoint_hash"):
        if key not in record:
            raise KickganError(f"{path}: sidecar has no '{key}'")
    return record


def export_options(record: dict) -> ExportOptions:
    """The :class:`ExportOptions` a sidecar was written with."""
    return ExportOptions(**record["export"])
