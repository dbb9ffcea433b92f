"""Favourites as a sampler kit: an SFZ kit zipped (``NAME.sfz`` + ``samples/``) or a Hydrogen
``.h2drumkit``, built from the kicks already written, by :mod:`kickgan.producer.kit`.

One kick per MIDI note from 36 (C1) upward, in the order the favourites were chosen.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from kickgan.errors import ParameterError
from kickgan.io import atomic_path
from kickgan.producer.kit import FORMATS, arrange, sfz_text, write_hydrogen

NAME = "kickgan_favourites"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same kicks give the same bytes


def sample_names(kicks: list) -> list[str]:
    """A distinct file stem for each kick: its name, with ``_2``, ``_3`` ... for repeats of a seed."""
    seen: dict[str, int] = {}
    out = []
    for kick in kicks:
        seen[kick.name] = seen.get(kick.name, 0) + 1
        out.append(kick.name if seen[kick.name] == 1 else f"{kick.name}_{seen[kick.name]}")
    return out


def build(kicks: list, fmt: str, folder: Path) -> Path:
    """Write the kit of ``kicks`` (each with ``.wav`` and ``.json`` written) in ``fmt`` into ``folder``;
    returns the ``.zip`` (SFZ) or ``.h2drumkit`` (Hydrogen)."""
    if fmt not in FORMATS:
        raise ParameterError(f"format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    stems = sample_names(kicks)
    key = hashlib.sha256("|".join([fmt] + [k.id for k in kicks]).encode()).hexdigest()[:16]
    if fmt == "hydrogen":
        files = {f"{stem}{ext}": k.wav.with_suffix(ext) for stem, k in zip(stems, kicks) for ext in (".wav", ".json")}
        staged = folder / key / "files"
        for name, src in files.items():
            with atomic_path(staged / name) as tmp:
                tmp.write_bytes(src.read_bytes())
        instruments = arrange([f"{s}.wav" for s in stems], "keys")
        return write_hydrogen(folder / key / f"{NAME}.h2drumkit", NAME, instruments, [staged / n for n in files])
    path = folder / key / f"{NAME}.zip"
    instruments = arrange([f"samples/{s}.wav" for s in stems], "keys")
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, f"{NAME}/{NAME}.sfz", sfz_text(instruments).encode("utf-8"))
        for stem, kick in zip(stems, kicks):
            for ext in (".wav", ".json"):
                _add(zf, f"{NAME}/samples/{stem}{ext}", kick.wav.with_suffix(ext).read_bytes())
    return path


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
