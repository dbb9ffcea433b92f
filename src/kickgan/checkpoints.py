"""Checkpoints: one file holding everything needed to resume exactly, loaded without running code.

Neutral ground: training writes checkpoints through this module, and the sampler, the
producer tools and the evaluation read them through it, so inference never imports
:mod:`kickgan.train`.

A checkpoint is a dict of tensors and plain values::

    {"format", "step", "G", "D", "G_ema", "opt_g", "opt_d", "rng", "representation",
     "config", "versions", "best", "train_seconds"}

It is written to a temporary file and renamed (:func:`kickgan.io.atomic_path`),
so a crash mid-write leaves the previous checkpoint intact, and it is read only
with ``torch.load(weights_only=True)``: a file carrying any pickled object is refused.

A generator file (:func:`export_generator`, format ``kickgan-generator/1``) keeps only what
makes kicks: ``{"format", "step", "G_ema", "representation", "config", "versions",
"source_hash"}``, about a fifth of the size. The producer tools read either
(:func:`load_generator`); training resumes only from a full checkpoint.
"""

from __future__ import annotations

import hashlib
import pickle
import platform
import zipfile
from pathlib import Path

import torch

from kickgan import __version__
from kickgan.errors import KickganError
from kickgan.io import atomic_path

FORMAT = "kickgan-checkpoint/1"
REQUIRED = ("step", "G", "D", "G_ema", "opt_g", "opt_d", "rng", "representation", "config")
GENERATOR_FORMAT = "kickgan-generator/1"
GENERATOR_KEYS = ("step", "G_ema", "representation", "config")


def versions() -> dict:
    """The library versions a checkpoint was written with."""
    return {"kickgan": __version__, "torch": str(torch.__version__), "python": platform.python_version()}


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write ``state`` (tensors and plain values only) to ``path`` atomically."""
    state = {"format": FORMAT, "versions": versions(), **state}
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path: str | Path) -> dict:
    """Read a checkpoint with ``torch.load(weights_only=True)``; never executes code from the file.

    Raises:
        KickganError: naming the file, for a missing or unreadable file, one with a pickled
            payload (any object but tensors and plain values), or one that is not a kickgan checkpoint.
    """
    return _checked(_read(path), path, {FORMAT: REQUIRED})


def load_generator(path: str | Path) -> dict:
    """What makes kicks (``step``, ``G_ema``, ``representation``, ``config``) from a full checkpoint
    or a generator file; the same errors as :func:`load_checkpoint`."""
    return _checked(_read(path), path, {FORMAT: GENERATOR_KEYS, GENERATOR_FORMAT: GENERATOR_KEYS})


def export_generator(src: str | Path, dst: str | Path) -> Path:
    """Write the generator file of checkpoint ``src`` to ``dst`` (atomically); returns ``dst``."""
    state = load_generator(src)
    return save_generator(dst, {**state, "G_ema": {"model": state["G_ema"]["model"]}}, source_hash=file_sha256(src))


def save_generator(path: str | Path, state: dict, source_hash: str | None = None) -> Path:
    """Write a generator file (``GENERATOR_KEYS`` of ``state``, ``G_ema`` as ``{"model": state_dict}``)
    to ``path`` atomically; returns ``path``."""
    slim = {"format": GENERATOR_FORMAT, "versions": versions(), **{key: state[key] for key in GENERATOR_KEYS},
            "source_hash": source_hash}
    with atomic_path(path) as tmp:
        torch.save(slim, tmp)
    return Path(path)


def _read(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise KickganError(f"{path}: no such checkpoint")
    if not zipfile.is_zipfile(path):  # torch.save writes a zip archive; anything else is not ours
        raise KickganError(f"{path}: cannot read checkpoint (not a torch.save zip archive)")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise KickganError(f"{path}: refusing checkpoint with a pickled payload ({_unpickling_reason(exc)})") from None
    except (RuntimeError, OSError, EOFError) as exc:
        raise KickganError(f"{path}: cannot read checkpoint ({' '.join(str(exc).split())[:160]})") from None


def _checked(state, path: str | Path, required: dict[str, tuple[str, ...]]) -> dict:
    """``state`` if its format is one of ``required``'s and it holds that format's keys."""
    fmt = state.get("format") if isinstance(state, dict) else None
    if fmt not in required:
        raise KickganError(f"{path}: not a kickgan checkpoint (expected format {' or '.join(required)})")
    missing = [key for key in required[fmt] if key not in state]
    if missing:
        raise KickganError(f"{path}: checkpoint lacks {', '.join(missing)}")
    return state


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint file, or for a run folder its ``checkpoints/best.pt``, else ``checkpoints/latest.pt``."""
    path = Path(path)
    if path.is_dir():
        for name in ("best.pt", "latest.pt"):
            candidate = path / "checkpoints" / name
            if candidate.is_file():
                return candidate
        raise KickganError(f"{path}: no checkpoints/best.pt or checkpoints/latest.pt in this run folder")
    if not path.exists():
        raise KickganError(f"{path}: no such checkpoint or run folder")
    return path


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unpickling_reason(exc: Exception) -> str:
    """The line of torch's long weights-only message that names the refused object."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "Unsupported" in line or "WeightsUnpickler error" in line:
            return line.replace("WeightsUnpickler error: ", "").split(" was not ")[0][:200]
    return lines[-1][:200] if lines else type(exc).__name__
