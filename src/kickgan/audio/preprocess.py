"""Turn any audio clip into a training clip: mono, one rate, onset first, fixed length.

Every function here is pure: arrays in, arrays out, no files. The steps, in the
order :func:`prepare_clip` applies them:

1. :func:`to_mono`: average the channels, ``[C, T] -> [T]``.
2. :func:`remove_dc`: subtract the mean.
3. :func:`resample`: change the rate with soxr (high quality, linear phase).
4. :func:`align_onset`: cut the leading silence to ``pre_roll_ms`` before the attack.
5. :func:`fix_length`: cut or zero-pad to ``length`` samples, with a short fade-out.
6. :func:`normalize`: peak to 1.0 (or RMS loudness to a target level).

And for a model's output, :func:`finish_edges`: the start and the end of a kick as a producer's file
has them (no DC, no step at the first or the last sample), at the clip's own rate and length.
"""

from __future__ import annotations

import numpy as np
import soxr

from kickgan.errors import ParameterError

ONSET_DB = -30.0  # onset: the first sample within this many dB of the clip's peak
PRE_ROLL_MS = 2.0  # kept before the onset, so the attack is never cut
FADE_MS = 10.0  # fade-out at the end of the kept content
LEAD_MS = 1.0  # finish_edges: longest leading silence kept before the attack
LEAD_ONSET_DB = -40.0  # finish_edges: the attack is the first sample within this many dB of the peak
FADE_IN_MS = 0.5  # finish_edges: shortest fade-in (no step at the start; real kicks' 10-50 % rise kept)
EDGE_FADE_MS = 5.0  # finish_edges: fade-out at the end
LOUDNESS_DB = -20.0  # RMS target of normalize="loudness", in dBFS
NORMALIZE_KINDS = ("peak", "loudness", None)


def to_mono(y: np.ndarray) -> np.ndarray:
    """Average the channels of ``y [C, T]`` into ``[T]``; a ``[T]`` clip is returned as float32."""
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 1:
        return y
    if y.ndim != 2 or y.shape[0] == 0:
        raise ParameterError(f"expected a clip [T] or [C, T], got shape {tuple(y.shape)}")
    return y.mean(axis=0, dtype=np.float64).astype(np.float32)


def remove_dc(y: np.ndarray) -> np.ndarray:
    """``y [T]`` minus its mean."""
    return (y - y.mean(dtype=np.float64)).astype(np.float32)


def resample(y: np.ndarray, sr: int, target_sr: int) -> np.ndarray:
    """Resample ``y [T]`` from ``sr`` to ``target_sr`` Hz with soxr ("HQ" quality).

    Returns ``[round(T * target_sr / sr)]`` float32; ``y`` itself when the rates agree.
    """
    _check_rate(sr, "sr")
    _check_rate(target_sr, "target_sr")
    if sr == target_sr:
        return np.asarray(y, dtype=np.float32)
    return soxr.resample(np.asarray(y, dtype=np.float32), sr, target_sr, quality="HQ").astype(np.float32)


def find_onset(y: np.ndarray, threshold_db: float = ONSET_DB) -> int:
    """Index of the first sample of ``y [T]`` whose magnitude is within ``threshold_db`` of the peak.

    Returns 0 for a silent clip.
    """
    if threshold_db >= 0:
        raise ParameterError(f"threshold_db must be negative, got {threshold_db}")
    mag = np.abs(y)
    peak = float(mag.max(initial=0.0))
    if peak == 0.0:
        return 0
    return int(np.argmax(mag >= peak * 10 ** (threshold_db / 20)))


def align_onset(y: np.ndarray, sr: int, pre_roll_ms: float = PRE_ROLL_MS, threshold_db: float = ONSET_DB) -> np.ndarray:
    """Cut the leading silence of ``y [T]`` so the onset lands ``pre_roll_ms`` after the start.

    A clip whose onset is already earlier than that is returned unchanged (never padded).
    """
    if pre_roll_ms < 0:
        raise ParameterError(f"pre_roll_ms must be >= 0, got {pre_roll_ms}")
    start = max(0, find_onset(y, threshold_db) - int(round(pre_roll_ms * sr / 1000)))
    return y[start:]


def fix_length(y: np.ndarray, length: int, sr: int, fade_ms: float = FADE_MS) -> np.ndarray:
    """Cut or zero-pad ``y [T]`` to ``[length]``, fading out the last ``fade_ms`` of the kept content.

    The fade (a half cosine) ends where the content ends: at ``length`` when the
    clip was cut, at ``T`` when it was padded, so no clip ends in a step.
    """
    if length <= 0:
        raise ParameterError(f"length must be > 0, got {length}")
    n = min(len(y), length)
    out = np.zeros(length, dtype=np.float32)
    out[:n] = y[:n]
    n_fade = min(n, int(round(fade_ms * sr / 1000)))
    if n_fade > 0:
        out[n - n_fade : n] *= (0.5 + 0.5 * np.cos(np.linspace(0, np.pi, n_fade))).astype(np.float32)
    return out


def to_rate_and_length(clips: np.ndarray, sr: int, target_sr: int, length: int) -> np.ndarray:
    """``clips [N,T]`` at ``sr`` resampled to ``target_sr``, then cut or zero-padded to ``[N, length]``
    (:func:`fix_length`); ``clips`` itself when both already agree."""
    if sr == target_sr and clips.shape[1] == length:
        return clips
    return np.stack([fix_length(resample(y, sr, target_sr), length, target_sr) for y in clips]).astype(np.float32)


def normalize(y: np.ndarray, kind: str | None = "peak") -> np.ndarray:
    """Scale ``y [T]``: ``"peak"`` to a peak of 1.0; ``"loudness"`` to an RMS of ``LOUDNESS_DB`` dBFS
    (scaled down further if that would exceed a peak of 1.0); ``None`` leaves it. Silence stays silent."""
    if kind not in NORMALIZE_KINDS:
        raise ParameterError(f"normalize must be one of {NORMALIZE_KINDS}, got {kind!r}")
    peak = float(np.abs(y).max(initial=0.0))
    if kind is None or peak == 0.0:
        return y.astype(np.float32)
    if kind == "peak":
        gain = 1.0 / peak
    else:
        rms = float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))
        gain = min(10 ** (LOUDNESS_DB / 20) / rms, 1.0 / peak)
    return (y * gain).astype(np.float32)


def prepare_clip(
    y: np.ndarray,
    sr: int,
    target_sr: int,
    length: int,
    *,
    normalize: str | None = "peak",
    pre_roll_ms: float = PRE_ROLL_MS,
    fade_ms: float = FADE_MS,
) -> np.ndarray:
    """The whole chain: ``y [C, T]`` or ``[T]`` at ``sr`` -> a training clip ``[length]`` at ``target_sr``.

    Mono mix-down, DC removal, resampling, onset alignment, fixed length with
    fade-out, normalisation (see the module docstring). Returns float32 in [-1, 1].
    """
    _check_rate(sr, "sr")
    y = to_mono(y)
    if y.size == 0:
        raise ParameterError("cannot prepare an empty clip")
    y = resample(remove_dc(y), sr, target_sr)
    y = align_onset(y, target_sr, pre_roll_ms)
    y = fix_length(y, length, target_sr, fade_ms)
    return np.clip(_normalize(y, normalize), -1.0, 1.0)


_normalize = normalize  # prepare_clip's keyword shadows the function's name


def _check_rate(sr: int, name: str) -> None:
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ParameterError(f"{name} must be a positive integer (Hz), got {sr!r}")


def trim_lead(y: np.ndarray, sr: int, lead_ms: float = LEAD_MS, fade_in_ms: float = FADE_IN_MS) -> np.ndarray:
    """Cut ``y [T]`` so its attack lies at most ``lead_ms`` in; fade in from zero over the part kept
    before it, or over the first ``fade_in_ms`` if that is longer. The result starts at exactly 0."""
    onset = find_onset(y, LEAD_ONSET_DB)
    n_lead = min(onset, int(lead_ms * sr / 1000))
    y = y[onset - n_lead :].copy()
    n_fade = min(len(y), max(n_lead, int(round(fade_in_ms * sr / 1000))))
    if n_fade > 0:
        y[:n_fade] *= (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n_fade, endpoint=False))).astype(np.float32)
    return y


def finish_edges(y: np.ndarray, sr: int, fade_in_ms: float = FADE_IN_MS) -> np.ndarray:
    """A model's wave ``y [T]`` as a file starts and ends: DC removed, :func:`trim_lead`, zero-padded
    back to ``T`` with the last ``EDGE_FADE_MS`` of the content faded out. ``[T]`` float32.

    A magnitude-only decoder leaves energy at the first sample (the attack is cut by the clip's
    start): without this every kick starts with a step, heard as a pop (docs/fullband.md)."""
    y = np.asarray(y, dtype=np.float32)
    return fix_length(trim_lead(remove_dc(y), sr, fade_in_ms=fade_in_ms), len(y), sr, fade_ms=EDGE_FADE_MS)
