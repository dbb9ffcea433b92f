"""File input and output shared by every part of kickgan.

Every write is atomic: data goes to a temporary file in the target folder, which
is then renamed over the target, so an interrupted write never leaves a
half-written file behind and never destroys the previous version.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import soundfile as sf

from kickgan.errors import KickganError

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".aif", ".aiff", ".aifc")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, exclusive: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    The temporary name keeps the target's suffix, so libraries that choose a
    format by extension (soundfile, matplotlib, numpy) still work. With ``exclusive``
    the name is claimed atomically (a hard link, which fails if the name exists), so of
    two processes writing the same file one gets a ``KickganError`` instead of both "winning".
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; a new file honours the umask
        if exclusive:
            _claim(tmp_path, path)
        else:
            os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _claim(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if ``path`` does not exist, atomically (no check-then-write race)."""
    try:
        try:
            os.link(tmp, path)  # fails with EEXIST if the name is taken
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (FAT, some network shares): claim the name empty
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            os.replace(tmp, path)
    except FileExistsError:
        raise KickganError(f"{path}: already exists (another process wrote it meanwhile; nothing was overwritten)") from None


def _umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_folder(path: str | os.PathLike, option: str = "--out") -> Path:
    """Check, before any work, that the output folder ``path`` can be written into (it is a folder,
    or can be made in a writable one); makes nothing, so a command that fails later leaves no folder.

    Raises:
        KickganError: naming ``option`` and the folder, for an existing non-folder, a path below a
            file, or a folder this process may not write into.
    """
    path = Path(path)
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent  # the nearest part of the path that exists
    if not probe.is_dir():
        why = "exists and is not a folder" if probe == path else f"cannot create the folder ({probe} is a file)"
        raise KickganError(f"{option} {path}: {why}")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise KickganError(f"{option} {path}: cannot write into {probe} (permission denied)")
    return path


def check_output_file(path: str | os.PathLike, option: str) -> Path:
    """Check, before any work, that the file ``path`` can be written: not a folder, in a folder
    that exists or can be made and is writable (:func:`check_folder`)."""
    path = Path(path)
    if path.is_dir():
        raise KickganError(f"{option} {path}: is a folder; give a file name")
    check_folder(path.parent, option)
    return path


def write_text(path: str | os.PathLike, text: str, exclusive: bool = False) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8); ``exclusive``: never over an existing file."""
    with atomic_path(path, exclusive) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, obj: Any, exclusive: bool = False) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically (``exclusive``: see :func:`atomic_path`)."""
    text = json.dumps(obj, indent=2, sort_keys=False, default=_json_default)
    write_text(path, text + "\n", exclusive)


def read_json(path: str | os.PathLike) -> Any:
    """Read a JSON file, turning a missing or malformed file into a one-line ``KickganError``."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KickganError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise KickganError(f"{path}: not valid JSON ({exc})") from None


def read_yaml_mapping(path: str | os.PathLike, what: str) -> dict:
    """Read a YAML file that must hold a mapping (``what`` names it in errors, e.g. "config").

    Raises:
        KickganError: naming the file, for a missing file, invalid YAML or a non-mapping.
    """
    import yaml  # only the commands that read YAML pay for it

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KickganError(f"{path}: no such {what} file") from None
    except yaml.YAMLError as exc:
        raise KickganError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(raw, dict):
        raise KickganError(f"{path}: expected a mapping of {what} options")
    return raw


def append_jsonl(path: str | os.PathLike, record: dict) -> None:
    """Append one JSON record as a line to ``path`` (creating it), flushed to disk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, default=_json_default) + "\n")
        f.flush()


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """Read every record of a JSON-lines file; a torn last line (a crash mid-append) is skipped."""
    records = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def read_audio(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read an audio file as float32.

    Returns:
        y: ``np.ndarray [C, T]`` float32, one row per channel.
        sr: sample rate in Hz.

    Raises:
        KickganError: naming the file and the reason, for a missing, empty,
            unreadable or non-audio file, a folder, a pipe or a device.
    """
    path = Path(path)
    if not path.exists():
        raise KickganError(f"{path}: no such file")
    if path.is_dir():
        raise KickganError(f"{path}: is a folder, not an audio file")
    if not path.is_file():
        raise KickganError(f"{path}: not a regular file (a pipe or device?), not an audio file")
    if path.stat().st_size == 0:
        raise KickganError(f"{path}: empty file (0 bytes)")
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise KickganError(f"{path}: cannot read audio ({_short(exc)})") from None
    return np.ascontiguousarray(data.T), int(sr)


def write_wav(path: str | os.PathLike, y: np.ndarray, sr: int, subtype: str = "PCM_16", exclusive: bool = False) -> None:
    """Write ``y`` (``[T]`` or ``[C, T]``, float in [-1, 1]) as a WAV file, atomically.

    ``subtype`` is a soundfile subtype: ``PCM_16``, ``PCM_24`` or ``FLOAT``; ``exclusive``:
    never over an existing file (:func:`atomic_path`).
    """
    y = np.asarray(y, dtype=np.float32)
    data = y.T if y.ndim == 2 else y
    with atomic_path(path, exclusive) as tmp:
        sf.write(str(tmp), data, int(sr), subtype=subtype, format="WAV")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
