"""The start and the end of a kick file, as a producer hears them on every trigger.

Per clip ``[N,T]``, level-independent (everything is relative to the clip's peak):

| name | unit | what |
| --- | --- | --- |
| first_db | dB | level of the first sample relative to the peak (floored at -120 dB): a pop if high |
| rise_ms | ms | 10 % to 50 % of the peak: first sample with ``|y| >= 0.1 peak`` to first with ``|y| >= 0.5 peak`` |
| end_db | dB | peak level of the stretch 20 ms to 10 ms before the clip's end, relative to the peak |
| early_db | dB | peak level of the first 10 ms from the onset (the first sample at 10 % of the peak), relative to the peak |

A file "pops" when it starts above -40 dB of its peak, its tail is "cut" when it is
still above -20 dB of its peak 10-20 ms before its end (the last 10 ms being the fade), and it
"swells" when its first 10 ms stay more than 6 dB below its peak: the loudest part comes later,
a crescendo instead of a hit (4 % of the open set's training kicks, none of its test kicks).
The ``edges`` metric reports them for the scored and the reference set, read from audio files as
they are written (:func:`file_edges`: no DC removal, onset alignment or fade, which would move the
first sample) and from a dataset's clips as they are stored; the finishing chain of
the producer tools (:func:`kickgan.producer.export.finish`) is measured with them in
``scripts/measure-edges.py``.
"""

from __future__ import annotations

import numpy as np

from kickgan.audio.preprocess import to_mono
from kickgan.errors import ParameterError
from kickgan.io import read_audio
from kickgan.metrics.descriptors import finite_median
from kickgan.metrics.registry import register_metric

POP_DB = -40.0  # a first sample above this (relative to the peak) is a pop
CUT_DB = -20.0  # a tail above this 10-20 ms before the end is cut
SWELL_DB = -6.0  # a kick whose first EARLY_MS from the onset stay below this (relative to the peak) swells
EARLY_MS = 10.0
FLOOR_DB = -120.0  # the lowest level reported (a zero sample)


def _peaks(clips: np.ndarray) -> np.ndarray:
    clips = np.asarray(clips, dtype=np.float64)
    if clips.ndim != 2 or clips.shape[1] == 0:
        raise ParameterError(f"clips must be [N,T] with T >= 1, got shape {clips.shape}")
    return np.abs(clips).max(axis=1)


def first_sample_db(clips: np.ndarray) -> np.ndarray:
    """Level of each clip's first sample relative to its peak, in dB ``[N]``, at least ``FLOOR_DB``
    (NaN for silence)."""
    peak = _peaks(clips)
    ratio = np.abs(np.asarray(clips, np.float64)[:, 0]) / np.where(peak > 0, peak, 1.0)
    return np.where(peak > 0, 20 * np.log10(np.maximum(ratio, 10 ** (FLOOR_DB / 20))), np.nan)


def rise_ms(clips: np.ndarray, sr: int, low: float = 0.1, high: float = 0.5) -> np.ndarray:
    """Time from the first sample at ``low`` x peak to the first at ``high`` x peak, in ms ``[N]``."""
    peak = _peaks(clips)
    mag = np.abs(np.asarray(clips, np.float64))
    first_low = np.argmax(mag >= low * peak[:, None], axis=1)
    first_high = np.argmax(mag >= high * peak[:, None], axis=1)
    return np.where(peak > 0, (first_high - first_low) * 1000.0 / sr, np.nan)


def end_level_db(clips: np.ndarray, sr: int, from_ms: float = 20.0, to_ms: float = 10.0) -> np.ndarray:
    """Peak level of the stretch ``from_ms`` to ``to_ms`` before the end, relative to the clip's peak, dB ``[N]``."""
    peak = _peaks(clips)
    t = np.asarray(clips).shape[1]
    a, b = max(0, t - int(round(from_ms * sr / 1000))), max(1, t - int(round(to_ms * sr / 1000)))
    tail = np.abs(np.asarray(clips, np.float64)[:, a:b]).max(axis=1)
    ratio = tail / np.where(peak > 0, peak, 1.0)
    return np.where(peak > 0, 20 * np.log10(np.maximum(ratio, 10 ** (FLOOR_DB / 20))), np.nan)


def early_level_db(clips: np.ndarray, sr: int, within_ms: float = EARLY_MS, onset: float = 0.1) -> np.ndarray:
    """Peak level of the ``within_ms`` from each clip's onset (its first sample at ``onset`` x peak),
    relative to the clip's peak, dB ``[N]`` (0 when the peak is in them; NaN for silence)."""
    peak = _peaks(clips)
    mag = np.abs(np.asarray(clips, np.float64))
    start = np.argmax(mag >= onset * peak[:, None], axis=1)
    idx = np.arange(mag.shape[1])[None, :]
    window = (idx >= start[:, None]) & (idx < start[:, None] + max(1, int(round(within_ms * sr / 1000))))
    early = np.where(window, mag, 0.0).max(axis=1)
    ratio = early / np.where(peak > 0, peak, 1.0)
    return np.where(peak > 0, 20 * np.log10(np.maximum(ratio, 10 ** (FLOOR_DB / 20))), np.nan)


def edges_of(clips: np.ndarray, sr: int) -> np.ndarray:
    """First-sample level (dB), 10-50 % rise (ms), end level (dB) and early level (dB) of ``clips [N,T]``
    at ``sr``: ``[N,4]``."""
    return np.stack([first_sample_db(clips), rise_ms(clips, sr), end_level_db(clips, sr), early_level_db(clips, sr)],
                    axis=1)


def file_edges(paths: list) -> np.ndarray:
    """:func:`edges_of` each audio file as written ``[N,4]``: its channels averaged, at its own rate and
    length, nothing else changed (scoring prepares clips; the DC removal alone moves the first sample)."""
    rows = []
    for path in paths:
        y, sr = read_audio(path)
        rows.append(edges_of(to_mono(y)[None, :], sr)[0])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), 4)


def edge_summary(clips: np.ndarray, sr: int) -> dict[str, float]:
    """Medians of the four measures, and the shares of clips that pop, whose tail is cut, that swell."""
    first, rise, end, early = edges_of(clips, sr).T
    return {
        "first_db_median": float(np.nanmedian(first)),
        "pop_share": float(np.mean(first > POP_DB)),
        "rise_ms_median": float(np.nanmedian(rise)),
        "end_db_median": float(np.nanmedian(end)),
        "cut_share": float(np.mean(end > CUT_DB)),
        "early_db_median": float(np.nanmedian(early)),
        "swell_share": float(np.mean(early < SWELL_DB)),
    }


@register_metric("edges", paper="how a kick file starts and ends: first-sample level, 10-50 % rise, level before the end, "
                          "level of the first 10 ms")
def edges_metric(gen, ref, train=None) -> dict:
    """For both sets: the median first-sample level and the share that pops, the median 10-50 % rise,
    the median level 20-10 ms before the end and the share whose tail is cut, the median level of the
    first 10 ms and the share that swells."""
    out: dict = {}
    for prefix, feats in (("edge", gen), ("edge/ref", ref)):
        first, rise, end, early = (feats.edges[:, k] for k in range(4))
        sounding = np.isfinite(first)
        out[f"{prefix}/first_db_median"] = finite_median(first)
        out[f"{prefix}/pop_share"] = float((first[sounding] > POP_DB).mean()) if sounding.any() else None
        out[f"{prefix}/rise_ms_median"] = finite_median(rise)
        out[f"{prefix}/end_db_median"] = finite_median(end)
        out[f"{prefix}/cut_share"] = float((end[sounding] > CUT_DB).mean()) if sounding.any() else None
        out[f"{prefix}/early_db_median"] = finite_median(early)
        out[f"{prefix}/swell_share"] = float((early[sounding] < SWELL_DB).mean()) if sounding.any() else None
    return out
