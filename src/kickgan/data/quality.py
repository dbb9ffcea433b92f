"""Read one input file and decide whether it can be a training kick.

:func:`check_file` returns the decoded audio and what the file is, or raises a
:class:`Rejected` with one of the :data:`REASONS`. Odd but valid files are kept
after conversion: any channel count (mixed down), 8-bit or float samples, and any
rate from ``MIN_SR`` up (192 kHz is resampled). Heavy clipping is flagged, not rejected.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

MIN_DURATION_S = 0.03  # shorter than 30 ms is a click, not a kick
MIN_SR = 8000  # below this a kick's attack is gone
SILENCE_PEAK = 10 ** (-90 / 20)  # peak below -90 dBFS is digital silence
CLIP_LEVEL = 0.999  # a sample this close to full scale counts as clipped ...
CLIP_RUN = 3  # ... when it lies in a run of at least this many such samples
CLIP_FRACTION = 0.001  # "heavy clipping": more than this fraction of samples clipped

AUDIO_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM")

REASONS = {
    "missing": "no such file (or a broken link)",
    "unreadable": "cannot be opened (permissions, or not a regular file)",
    "empty": "zero bytes",
    "not-audio": "not an audio file (no known audio header)",
    "corrupt": "an audio header, but the data cannot be decoded",
    "truncated": "the file ends before the audio data its header announces",
    "low-rate": f"sample rate below {MIN_SR} Hz",
    "non-finite": "NaN or infinite samples",
    "silent": "digital silence (peak below -90 dBFS)",
    "too-short": f"shorter than {MIN_DURATION_S * 1000:.0f} ms",
    "duplicate": "the same decoded audio as another kept file",
    "near-duplicate": "the same recording as another kept file (re-encoded, resampled or re-levelled)",
}


class Rejected(Exception):
    """A file that cannot be a training kick: ``reason`` is a key of :data:`REASONS`."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail or REASONS[reason]}")
        self.reason = reason
        self.detail = detail or REASONS[reason]


@dataclass(frozen=True)
class Checked:
    """A file that passed: ``y [C, T]`` float32 at ``sr``, and what it was."""

    y: np.ndarray
    sr: int
    subtype: str
    sha256: str  # of the file's bytes
    content_sha256: str  # of the decoded samples: equal for the same audio in WAV and FLAC
    clipped_fraction: float

    @property
    def clipped(self) -> bool:
        return self.clipped_fraction > CLIP_FRACTION


def check_file(path: Path) -> Checked:
    """Read ``path`` and check it (see the module docstring); raises :class:`Rejected`."""
    data = _read_bytes(path)
    y, sr, subtype = _decode(path, data)
    if sr < MIN_SR:
        raise Rejected("low-rate", f"{sr} Hz, below {MIN_SR} Hz")
    if not np.isfinite(y).all():
        raise Rejected("non-finite", f"{int((~np.isfinite(y)).sum())} NaN or infinite samples")
    if y.shape[1] < MIN_DURATION_S * sr:
        raise Rejected("too-short", f"{1000 * y.shape[1] / sr:.1f} ms, below {MIN_DURATION_S * 1000:.0f} ms")
    peak = float(np.abs(y).max())
    if peak < SILENCE_PEAK:
        raise Rejected("silent", "all samples zero" if peak == 0 else f"peak {20 * np.log10(peak):.0f} dBFS")
    return Checked(
        y, sr, subtype, hashlib.sha256(data).hexdigest(), hashlib.sha256(y.tobytes()).hexdigest(), clipped_fraction(y)
    )


def clipped_fraction(y: np.ndarray) -> float:
    """Fraction of the samples of ``y [C, T]`` at full scale (``>= CLIP_LEVEL``) in runs of ``CLIP_RUN`` or more."""
    hot = np.abs(y) >= CLIP_LEVEL
    edges = np.diff(np.pad(hot.astype(np.int8), ((0, 0), (1, 1))), axis=1)  # +1 where a run starts, -1 after it ends
    starts, ends = np.nonzero(edges == 1)[1], np.nonzero(edges == -1)[1]
    runs = ends - starts  # np.nonzero walks row by row, so starts and ends pair up
    return float(runs[runs >= CLIP_RUN].sum() / hot.size)


def _read_bytes(path: Path) -> bytes:
    if not os.path.lexists(path) or not path.exists():
        raise Rejected("missing")
    if not path.is_file():
        raise Rejected("unreadable", "not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Rejected("unreadable", exc.strerror or str(exc)) from None
    if not data:
        raise Rejected("empty")
    return data


def _decode(path: Path, data: bytes) -> tuple[np.ndarray, int, str]:
    if data[:4] not in AUDIO_MAGIC:
        raise Rejected("not-audio", f"starts with {data[:8]!r}")
    _check_wav_length(data)
    try:
        with sf.SoundFile(str(path)) as f:
            subtype = f.subtype
            y = f.read(dtype="float32", always_2d=True)
            sr = f.samplerate
    except (sf.LibsndfileError, RuntimeError, ValueError, EOFError) as exc:
        message = str(exc).strip().split(": ", 1)[-1] or type(exc).__name__  # drop "Error opening 'PATH'"
        tag = _wav_format_tag(data)
        raise Rejected("corrupt", message + (f" (WAV format tag 0x{tag:04X})" if tag is not None else "")) from None
    if y.shape[0] == 0:
        raise Rejected("corrupt", "no audio frames")
    return np.ascontiguousarray(y.T), int(sr), subtype


def _wav_chunks(data: bytes):
    """``(id, offset of its data, declared size)`` of each chunk of a RIFF/WAVE file, in order."""
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)


def _wav_format_tag(data: bytes) -> int | None:
    """The codec tag of a WAV's ``fmt`` chunk (1 PCM, 3 float, 0x674F Ogg Vorbis, ...), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        for cid, start, _ in _wav_chunks(data):
            if cid == b"fmt " and start + 2 <= len(data):
                return struct.unpack("<H", data[start : start + 2])[0]
    return None


def _check_wav_length(data: bytes) -> None:
    """A WAV whose ``data`` chunk announces more bytes than the file holds is truncated.

    (libsndfile reads such a file without complaint, returning what is there.)
    """
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return
    for cid, start, size in _wav_chunks(data):
        if cid == b"data":
            have = len(data) - start
            if size != 0xFFFFFFFF and have < size:
                raise Rejected("truncated", f"{have} of {size} data bytes present")
            return
    raise Rejected("truncated", "no data chunk before the end of the file")
