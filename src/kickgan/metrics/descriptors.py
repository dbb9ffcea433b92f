"""Kick descriptors: a few numbers a producer would use to describe one kick.

Each is computed per clip from the waveform (numpy/scipy), vectorised over a batch,
and does not depend on the clip's level. Times are measured from the onset, the
first sample whose magnitude reaches 10 % of the clip's peak.

| name | unit | what |
| --- | --- | --- |
| body_hz_20ms, body_hz_100ms | Hz | instantaneous frequency of the low-passed (< 500 Hz) clip, median over 10 ms around onset + 20 ms / + 100 ms |
| pitch_drop_st | semitones | 12 log2(body_hz_20ms / body_hz_100ms) |
| attack_ms | ms | envelope rise time, 10 % to 90 % of its peak |
| decay20_ms, decay40_ms | ms | from the envelope peak to its last sample above -20 / -40 dB of the peak |
| centroid_hz | Hz | spectral centroid of the whole clip's power spectrum |
| sub_ratio, lowmid_ratio, high_ratio | 1 | share of the energy below 100 Hz, 100-1000 Hz, above 1000 Hz |
| crest_db | dB | peak over RMS of the first 500 ms after the onset |
| click_db | dB | energy above 2 kHz within 10 ms of the onset, relative to the clip's total energy |

The envelope is the magnitude of the analytic signal (Hilbert), smoothed over 5 ms.
:func:`band_levels_db` gives the energy of the 0-4, 4-8 and 8-16 kHz bands relative to the whole
clip (dB) from its power spectrum; the ``bands`` metric (:mod:`kickgan.metrics.bands`) reports them.
Distances between sets: per descriptor the Wasserstein-1 distance between the two
distributions after standardising both by the reference set's mean and standard
deviation (so 1.0 means "shifted by one reference standard deviation").
"""

from __future__ import annotations

import numpy as np
import scipy.fft
import scipy.ndimage
import scipy.signal
import scipy.stats
import soxr

from kickgan.errors import ParameterError
from kickgan.metrics.registry import register_metric

NAMES = (
    "body_hz_20ms",
    "body_hz_100ms",
    "pitch_drop_st",
    "attack_ms",
    "decay20_ms",
    "decay40_ms",
    "centroid_hz",
    "sub_ratio",
    "lowmid_ratio",
    "high_ratio",
    "crest_db",
    "click_db",
)
BODY_CUTOFF_HZ = 500.0
CLICK_CUTOFF_HZ = 2000.0
BODY_SR = 4000  # the body is measured on a low-passed copy at this rate
BANDS_HZ = ((0, 4000), (4000, 8000), (8000, 16000))  # band_levels_db: the body, the beater, the air
BAND_NAMES = ("0-4k", "4-8k", "8-16k")
LEVEL_FLOOR_DB = -120.0  # the level of an empty band


def analytic(x: np.ndarray) -> np.ndarray:
    """Analytic signal ``x + i H(x)`` ``[N,T]`` complex64 of real ``x [N,T]``.

    The Hilbert transform ``H`` is taken with real FFTs, zero-padded to twice the
    length so that the end of a clip does not wrap onto its start.
    """
    x = np.asarray(x, dtype=np.float32)
    t = x.shape[-1]
    n = scipy.fft.next_fast_len(2 * t, real=True)
    spec = scipy.fft.rfft(x, n=n, axis=-1, workers=-1)
    spec[..., 0] = 0
    if n % 2 == 0:
        spec[..., -1] = 0
    hilbert = scipy.fft.irfft(spec * np.complex64(-1j), n=n, axis=-1, workers=-1)[..., :t]
    return x + 1j * hilbert.astype(np.float32)


def envelope(clips: np.ndarray, sr: int, smooth_ms: float = 5.0) -> np.ndarray:
    """Amplitude envelope ``[N,T]``: |analytic signal| smoothed by a ``smooth_ms`` moving average."""
    env = np.abs(analytic(clips))
    width = max(1, int(round(smooth_ms * 1e-3 * sr)))
    return scipy.ndimage.uniform_filter1d(env, width, axis=-1, mode="nearest")


def _first_at_least(x: np.ndarray, level: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Index of the first sample ``>= level`` at or after ``start``, per row of ``x [N,T]``."""
    idx = np.arange(x.shape[1])
    hit = (x >= level[:, None]) & (idx[None, :] >= start[:, None])
    return np.argmax(hit, axis=1)


def _last_at_least(x: np.ndarray, level: np.ndarray) -> np.ndarray:
    hit = x >= level[:, None]
    return x.shape[1] - 1 - np.argmax(hit[:, ::-1], axis=1)


def body_frequency(clips: np.ndarray, sr: int, times: list[np.ndarray], width_ms: float = 10.0) -> list[np.ndarray]:
    """Instantaneous frequency (Hz) of the low-passed clips around each array of times (s) ``[N]``.

    The clips are resampled to ``BODY_SR`` (soxr), low-passed below ``BODY_CUTOFF_HZ``;
    the frequency is the median phase increment of the analytic signal over
    ``width_ms`` around each time; NaN where the window leaves the clip.
    """
    low = soxr.resample(np.ascontiguousarray(clips.T, dtype=np.float32), sr, BODY_SR).T
    sos = scipy.signal.butter(4, BODY_CUTOFF_HZ, "lowpass", fs=BODY_SR, output="sos")
    z = analytic(scipy.signal.sosfiltfilt(sos, low, axis=-1))
    inst = np.angle(z[:, 1:] * np.conj(z[:, :-1])) * BODY_SR / (2 * np.pi)  # [N,T'-1]
    half = max(1, int(width_ms * 1e-3 * BODY_SR / 2))
    out = []
    for at in times:
        centre = np.round(np.asarray(at) * BODY_SR).astype(int)
        offsets = np.arange(-half, half)
        cols = centre[:, None] + offsets[None, :]
        inside = (cols.min(axis=1) >= 0) & (cols.max(axis=1) < inst.shape[1])
        vals = np.take_along_axis(inst, np.clip(cols, 0, inst.shape[1] - 1), axis=1)
        out.append(np.where(inside, np.median(vals, axis=1), np.nan))
    return out


def _band_ratios(clips: np.ndarray, sr: int) -> tuple[np.ndarray, ...]:
    power = np.abs(scipy.fft.rfft(clips.astype(np.float32), axis=-1, workers=-1)) ** 2
    freqs = np.fft.rfftfreq(clips.shape[1], 1.0 / sr)
    total = power.sum(axis=1) + 1e-20
    centroid = (power @ freqs) / total
    sub = power[:, freqs < 100].sum(axis=1) / total
    lowmid = power[:, (freqs >= 100) & (freqs < 1000)].sum(axis=1) / total
    high = power[:, freqs >= 1000].sum(axis=1) / total
    return centroid, sub, lowmid, high


def _segments(clips: np.ndarray, start: np.ndarray, length: int) -> np.ndarray:
    """``clips[i, start[i] : start[i] + length]`` per row, zero outside the clip -> ``[N,length]``."""
    cols = start[:, None] + np.arange(length)[None, :]
    inside = (cols >= 0) & (cols < clips.shape[1])
    return np.take_along_axis(clips, np.clip(cols, 0, clips.shape[1] - 1), axis=1) * inside


def click_strength(clips: np.ndarray, sr: int, onset: np.ndarray) -> np.ndarray:
    """Energy above ``CLICK_CUTOFF_HZ`` in the 10 ms from the onset over the clip's energy, in dB ``[N]``.

    Only a 30 ms stretch around the onset is high-passed (zero-phase Butterworth).
    """
    n10 = max(2, int(0.010 * sr))
    seg = _segments(clips, onset - n10, 3 * n10)
    sos = scipy.signal.butter(4, min(CLICK_CUTOFF_HZ, 0.45 * sr), "highpass", fs=sr, output="sos")
    high = scipy.signal.sosfiltfilt(sos, seg, axis=-1)[:, n10 : 2 * n10]
    return 10 * np.log10((high**2).sum(axis=1) / ((clips**2).sum(axis=1) + 1e-20) + 1e-12)


def crest_factor(clips: np.ndarray, sr: int, onset: np.ndarray) -> np.ndarray:
    """Peak over RMS of the 500 ms from the onset, in dB ``[N]``."""
    head = _segments(clips, onset, int(0.5 * sr))
    rms = np.sqrt((head**2).mean(axis=1))
    return 20 * np.log10(np.maximum(np.abs(clips).max(axis=1), 1e-20) / np.maximum(rms, 1e-20))


def decay_t20_ms(clips: np.ndarray, sr: int, top_db: float = 3.0, bottom_db: float = 25.0) -> np.ndarray:
    """Decay time to -20 dB by the straight line fitted to the envelope (dB) ``[N]``, in ms.

    The least-squares line runs through the envelope from ``top_db`` to ``bottom_db`` below its
    peak, after the peak and up to its first fall below ``-bottom_db`` (or the clip's end); its
    slope is extrapolated to 20 dB, as room acoustics' T20 extrapolates to 60 dB. Unlike
    ``decay20_ms`` it does not saturate at the clip's end or jump with a late bump of the tail.
    NaN where fewer than 10 ms of envelope lie in the range (a flat or silent clip).
    """
    clips = np.asarray(clips, dtype=np.float32)
    env = envelope(clips, sr)
    peak = np.maximum(env.max(axis=1, keepdims=True), 1e-20)
    level = 20 * np.log10(np.maximum(env / peak, 1e-6))  # [N,T], 0 at the peak
    idx = np.arange(clips.shape[1])[None, :]
    after = idx >= np.argmax(env, axis=1)[:, None]
    fallen = np.cumsum(after & (level < -bottom_db), axis=1) > 0
    w = (after & ~fallen & (level <= -top_db)).astype(np.float64)
    n = w.sum(axis=1)
    t = idx / sr
    t_mean = (w * t).sum(axis=1) / np.maximum(n, 1)
    l_mean = (w * level).sum(axis=1) / np.maximum(n, 1)
    dt = t - t_mean[:, None]
    slope = (w * dt * (level - l_mean[:, None])).sum(axis=1) / np.maximum((w * dt**2).sum(axis=1), 1e-20)
    with np.errstate(divide="ignore"):
        out = np.where(slope < 0, 20.0 / -slope * 1000.0, np.inf)
    return np.where(n >= 0.010 * sr, out, np.nan)


def band_levels_db(clips: np.ndarray, sr: int) -> np.ndarray:
    """Energy of each band of ``BANDS_HZ`` relative to the whole clip, in dB ``[N, len(BANDS_HZ)]``.

    From the power spectrum of each whole clip ``[N,T]`` (one real FFT: by Parseval, exactly the
    clip's energy). A band is ``[low, high)``; one reaching above ``sr / 2`` is absent (NaN), as is
    every band of a silent clip; an empty band is ``LEVEL_FLOOR_DB``.
    """
    clips = np.asarray(clips, dtype=np.float32)
    power = np.abs(scipy.fft.rfft(clips, axis=-1, workers=-1)).astype(np.float64) ** 2
    freqs = np.fft.rfftfreq(clips.shape[1], 1.0 / sr)
    total = power.sum(axis=1)
    out = np.full((len(clips), len(BANDS_HZ)), np.nan)
    for k, (low, high) in enumerate(BANDS_HZ):
        if high <= sr / 2:
            share = power[:, (freqs >= low) & (freqs < high)].sum(axis=1) / np.where(total > 0, total, 1.0)
            out[:, k] = 10 * np.log10(np.maximum(share, 10 ** (LEVEL_FLOOR_DB / 10)))
    out[total <= 0] = np.nan
    return out


def describe(clips: np.ndarray, sr: int) -> np.ndarray:
    """Descriptors of each clip: ``clips [N,T]`` at ``sr`` -> ``[N, len(NAMES)]``.

    A silent clip gets NaN everywhere; a descriptor that falls outside the clip
    (e.g. the body at 100 ms of a clip shorter than that) is NaN.
    """
    clips = np.asarray(clips, dtype=np.float32)
    if clips.ndim != 2:
        raise ParameterError(f"clips must be [N,T], got shape {clips.shape}")
    env = envelope(clips, sr)
    peak = env.max(axis=1)
    silent = peak <= 1e-8
    peak = np.where(silent, 1.0, peak)
    mag = np.abs(clips)
    onset = _first_at_least(mag, 0.1 * mag.max(axis=1), np.zeros(len(clips), dtype=int))
    rise90 = _first_at_least(env, 0.9 * peak, onset)
    ipeak = np.argmax(env, axis=1)
    ms = 1000.0 / sr
    decay20 = (_last_at_least(env, peak * 10 ** (-20 / 20)) - ipeak) * ms
    decay40 = (_last_at_least(env, peak * 10 ** (-40 / 20)) - ipeak) * ms
    f20, f100 = body_frequency(clips, sr, [onset / sr + 0.020, onset / sr + 0.100])
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = 12 * np.log2(f20 / f100)
    out = np.stack(
        [
            f20,
            f100,
            drop,
            (rise90 - onset) * ms,
            decay20,
            decay40,
            *_band_ratios(clips, sr),
            crest_factor(clips, sr, onset),
            click_strength(clips, sr, onset),
        ],
        axis=1,
    )
    out[silent] = np.nan
    return out


def standardised_w1(gen: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Per-column Wasserstein-1 distance ``[K]`` between ``gen [N,K]`` and ``ref [M,K]``.

    Both are standardised by ``ref``'s column mean and standard deviation; NaNs are
    dropped per column; a column with no finite value on either side gives NaN.
    """
    out = np.full(gen.shape[1], np.nan)
    for k in range(gen.shape[1]):
        g, r = gen[:, k], ref[:, k]
        g, r = g[np.isfinite(g)], r[np.isfinite(r)]
        if len(g) == 0 or len(r) == 0:
            continue
        scale = r.std() if r.std() > 0 else 1.0
        out[k] = scipy.stats.wasserstein_distance((g - r.mean()) / scale, (r - r.mean()) / scale)
    return out


@register_metric("descriptors", paper="kick descriptors; Wasserstein-1 (Villani 2008) on reference-standardised values")
def descriptors_metric(gen, ref, train=None) -> dict:
    """Per-descriptor standardised W1 between generated and reference clips, and their mean; the
    median attack and decay to -40 dB of both sets."""
    w1 = standardised_w1(gen.desc, ref.desc)
    out = {f"desc/w1/{name}": float(v) for name, v in zip(NAMES, w1)}
    out["desc/w1_mean"] = float(np.nanmean(w1)) if np.isfinite(w1).any() else float("nan")
    for name in ("attack_ms", "decay40_ms"):  # the values a producer reads, beside their distances
        k = NAMES.index(name)
        out[f"desc/median/{name}"] = finite_median(gen.desc[:, k])
        out[f"desc/ref_median/{name}"] = finite_median(ref.desc[:, k])
    return out


def finite_median(x: np.ndarray) -> float | None:
    """The median of the finite values of ``x``, or ``None`` (null in JSON) if there are none."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else None
