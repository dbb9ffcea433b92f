"""Your own kick, dropped on the page: limited, stored under a name of our choosing, checked as the
dataset builder checks its inputs (:func:`kickgan.data.quality.check_file`).

The client's file name is never used as a path: only its extension chooses the stored suffix
(from a fixed list), and the stored name is the SHA-256 of the bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kickgan.data.quality import Rejected, check_file
from kickgan.errors import KickganError
from kickgan.io import atomic_path

MAX_BYTES = 10 * 1024 * 1024  # a kick one-shot is rarely above 1 MB
MAX_SECONDS = 5.0
SUFFIXES = (".wav", ".flac", ".aif", ".aiff", ".ogg")


def label(filename: str | None) -> str:
    """The client's file name, reduced to a short printable label for messages and sidecars."""
    name = Path(str(filename or "upload").replace("\\", "/")).name
    return "".join(c for c in name if c.isprintable())[:80] or "upload"


def store(data: bytes, filename: str | None, folder: Path) -> Path:
    """Check ``data`` (an upload named ``filename``) and keep it in ``folder``; returns its path.

    Raises:
        KickganError: naming the upload and the reason (too large, wrong type, not decodable
            audio, too long, too short, silent, ...).
    """
    name = label(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise KickganError(f"{name}: uploads must be WAV, FLAC, AIFF or OGG files (got {suffix or 'no extension'!r})")
    if len(data) > MAX_BYTES:
        raise KickganError(f"{name}: {len(data) / 2**20:.1f} MB, above the upload limit of {MAX_BYTES // 2**20} MB")
    path = folder / f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    try:
        checked = check_file(path)
    except Rejected as exc:
        path.unlink()
        raise KickganError(f"{name}: {exc}") from None
    seconds = checked.y.shape[1] / checked.sr
    if seconds > MAX_SECONDS:
        path.unlink()
        raise KickganError(f"{name}: {seconds:.1f} s long, above the limit of {MAX_SECONDS:.0f} s for a kick")
    return path
