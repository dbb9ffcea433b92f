"""Shaping one decoded kick's body pitch, decay and click to a target, by DSP.

Where a model has not learnt a control in its latent space (:mod:`kickgan.producer.controls`
decides per control, by measurement), the control acts on the decoded kick instead, as a
sampler's pitch, amplitude-envelope and transient knobs would, but aimed at the evaluation
suite's own descriptor (:mod:`kickgan.audio.descriptors`), so that one step of a control moves
its descriptor by one step whatever the kick:

| control | what is done to ``y`` | its descriptor |
| --- | --- | --- |
| pitch | the body (below 500 Hz) re-voiced: its analytic signal's phase times ``2 ** shift``, its envelope kept | ``body_hz_100ms``, log2 Hz |
| decay | the envelope after its peak times an exponential that sets the T20 slope to the target | ``decay_t20_ms``, log2 ms |
| click | the high-passed (> 2 kHz) attack, the 10 ms from the onset, scaled until it hits the target | ``click_db``, dB |

They run in that order, and the decay and click targets are taken from the unshaped kick, so
neither the pitch nor the decay moves the click. The pitch keeps the kick's timing: varispeed
(playing it faster) was tried first, but a kick's body glides down, so a slower kick read at a
fixed time after its onset sits earlier on its glide and measured *higher* (the open kicks'
``body_hz_20ms`` rose for 4 of 8 seeds of a GAN lowered by half a step). Multiplying the phase
of the body's analytic signal moves its instantaneous frequency, which is what the descriptor
reads, by exactly ``2 ** shift`` at every time. A shift of 0 leaves ``y`` bit for bit as it was.
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from kickgan.audio.descriptors import (
    BODY_CUTOFF_HZ,
    CLICK_CUTOFF_HZ,
    analytic,
    click_strength,
    decay_t20_ms,
    envelope,
    onsets,
)

MAX_GAIN_DB = 24.0  # the most a longer decay may raise the end of the tail
TAIL_HEADROOM_DB = 1.0  # ... and never above this far below the kick's peak
TAIL_FROM_MS = 10.0  # ... from this long after the peak on
CLICK_MS = 10.0  # the attack the click descriptor reads
CLICK_RAMP_MS = 1.0  # raised-cosine edges of the attack window
DECAY_ITERATIONS = 12  # bisection steps of the decay gain's slope
CLICK_ITERATIONS = 3  # the click gain is refined this often (each moves the high-pass energy)


def shape(y: np.ndarray, sr: int, pitch: float = 0.0, decay: float = 0.0, click: float = 0.0) -> np.ndarray:
    """``y [T]`` with its body pitch moved by ``pitch`` octaves (log2 Hz), its T20 decay by ``decay``
    (log2 ms) and its click by ``click`` dB; float32 ``[T]``."""
    y = np.asarray(y, dtype=np.float32)
    if not (pitch or decay or click):
        return y
    t20, click_db = decay_t20_ms(y[None], sr)[0], _click_db(y, sr)
    out = shift_body(y, sr, 2.0**pitch) if pitch else y
    if decay or pitch:
        out = set_decay(out, sr, t20 * 2.0**decay)
    if click or pitch or decay:
        out = set_click(out, sr, click_db + click)
    return out


def shift_body(y: np.ndarray, sr: int, ratio: float) -> np.ndarray:
    """``y [T]`` with the instantaneous frequency of its body (the part below ``BODY_CUTOFF_HZ``)
    times ``ratio`` at every moment, its envelope and everything above the body kept."""
    sos = scipy.signal.butter(4, BODY_CUTOFF_HZ, "lowpass", fs=sr, output="sos")
    low = scipy.signal.sosfiltfilt(sos, y)
    z = analytic(low[None])[0]
    phase = np.unwrap(np.angle(z))
    body = np.abs(z) * np.cos(phase[0] + ratio * (phase - phase[0]))
    return (y - low + body).astype(np.float32)


def set_decay(y: np.ndarray, sr: int, target_ms: float) -> np.ndarray:
    """``y [T]`` with its T20 (``decay_t20_ms``) set to ``target_ms`` by an exponential gain after the
    envelope peak (at most ``MAX_GAIN_DB``); unchanged where either T20 is not finite.

    The gain's slope is found by bisection on the measured T20, not from the first fit alone: a
    raised tail brings the end of a generated kick (often a floor, not a clean exponential) into
    the fit, which a one-shot slope would overshoot by ten times. The slope returned is the one
    tried whose T20 came closest to the target (near the cap the measure is not monotone)."""
    t20 = decay_t20_ms(y[None], sr)[0]
    if not (np.isfinite(t20) and np.isfinite(target_ms) and t20 > 0 and target_ms > 0):
        return y
    env = envelope(y[None], sr)[0]
    peak = int(np.argmax(env))
    after_ms = np.maximum(np.arange(len(y)) - peak, 0) * (1000.0 / sr)

    def with_slope(change: float) -> np.ndarray:  # change: dB per ms added after the peak
        return (y * 10.0 ** (np.minimum(change * after_ms, MAX_GAIN_DB) / 20.0)).astype(np.float32)

    first = 20.0 / t20 - 20.0 / target_ms
    lo, hi = (0.0, min(20.0 / t20, _steepest_below_peak(env, after_ms))) if first > 0 else (2.0 * first, 0.0)
    best = (abs(np.log(t20 / target_ms)), 0.0)  # (distance to the target in log ms, slope): the closest tried
    for _ in range(DECAY_ITERATIONS):
        mid = 0.5 * (lo + hi)
        now = decay_t20_ms(with_slope(mid)[None], sr)[0]
        if np.isfinite(now) and now > 0:
            best = min(best, (abs(np.log(now / target_ms)), mid))
        if np.isfinite(now) and now < target_ms:
            lo = mid
        else:  # longer than the target, or no longer falling (inf / NaN)
            hi = mid
    return with_slope(best[1])


def _steepest_below_peak(env: np.ndarray, after_ms: np.ndarray) -> float:
    """The largest gain slope (dB per ms after the peak, at least 0) that keeps the envelope ``env [T]``
    ``TAIL_HEADROOM_DB`` below its peak from ``TAIL_FROM_MS`` after it on: beyond it the tail of a
    ringing kick would become its loudest part (and the T20, measured from that new peak, read short)."""
    later = after_ms >= TAIL_FROM_MS
    level = 20 * np.log10(np.maximum(env[later] / max(env.max(), 1e-20), 1e-6))
    return max(0.0, float(np.min((-TAIL_HEADROOM_DB - level) / after_ms[later], initial=np.inf)))


def set_click(y: np.ndarray, sr: int, target_db: float) -> np.ndarray:
    """``y [T]`` with its ``click_db`` moved toward ``target_db`` by scaling the high-passed attack
    (the window ``CLICK_MS`` from the onset); unchanged where either is not finite."""
    if not np.isfinite(target_db):
        return y
    sos = scipy.signal.butter(4, min(CLICK_CUTOFF_HZ, 0.45 * sr), "highpass", fs=sr, output="sos")
    window = _attack_window(len(y), int(onsets(y[None])[0]), sr)
    for _ in range(CLICK_ITERATIONS):
        now = _click_db(y, sr)
        if not np.isfinite(now):
            return y
        gain = 10.0 ** ((target_db - now) / 20.0)
        y = (y + (gain - 1.0) * scipy.signal.sosfiltfilt(sos, y) * window).astype(np.float32)
    return y


def _click_db(y: np.ndarray, sr: int) -> float:
    return float(click_strength(y[None], sr, onsets(y[None]))[0])


def _attack_window(length: int, onset: int, sr: int) -> np.ndarray:
    """1 over ``[onset, onset + CLICK_MS)`` with raised-cosine edges of ``CLICK_RAMP_MS`` ``[length]``."""
    n, ramp = int(CLICK_MS * 1e-3 * sr), max(1, int(CLICK_RAMP_MS * 1e-3 * sr))
    edge = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
    shape_ = np.concatenate([edge, np.ones(n), edge[::-1]])
    window = np.zeros(length + 2 * ramp, dtype=np.float32)
    start = onset  # the rising edge ends at the onset, in the padded frame
    window[start : start + len(shape_)] = shape_[: len(window) - start]
    return window[ramp : ramp + length]
