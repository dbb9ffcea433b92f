"""Band energies: how much of a kick lies in its body (0-4 kHz), beater (4-8 kHz) and air (8-16 kHz).

Per clip, :func:`kickgan.metrics.descriptors.band_levels_db` (``Features.bands``): each band's
energy relative to the whole clip, in dB, from the clip's whole power spectrum. Per
band the metric reports both sets' medians, the standardised Wasserstein-1 distance of the
generated values to the reference's (as the descriptors), and the share of generated clips inside
the reference's 10th-90th percentiles. A band reaching above the set's Nyquist frequency is
absent: ``None`` (null in JSON), never NaN.

A clip resampled from a lower rate holds nothing above its source's Nyquist frequency: its
*band limit*. Where the features carry band limits (:func:`kickgan.data.dataset.band_limits`),
the metric counts, in each set, the clips band-limited below the top of the highest band present
(16 kHz at 44.1 kHz): ``band/n_band_limited`` (generated) and ``band/n_band_limited_ref``;
``None`` where unknown.
"""

from __future__ import annotations

import numpy as np

from kickgan.metrics.descriptors import BAND_NAMES, BANDS_HZ, finite_median, standardised_w1
from kickgan.metrics.registry import register_metric


def n_band_limited(band_limit_hz: np.ndarray | None, sr: int) -> int | None:
    """How many clips are band-limited below the top of the highest band present at ``sr``."""
    if band_limit_hz is None:
        return None
    top = max(high for _, high in BANDS_HZ if high <= sr / 2)
    return int((np.asarray(band_limit_hz) < top).sum())


def _share_inside(gen: np.ndarray, ref: np.ndarray) -> float | None:
    g, r = gen[np.isfinite(gen)], ref[np.isfinite(ref)]
    if len(g) == 0 or len(r) == 0:
        return None
    low, high = np.percentile(r, [10, 90])
    return float(((g >= low) & (g <= high)).mean())


@register_metric("bands", paper="band energies 0-4/4-8/8-16 kHz (dB of the whole kick); Wasserstein-1 on reference-standardised values")
def bands_metric(gen, ref, train=None) -> dict:
    """Per band: medians of both sets, standardised W1, share inside the reference p10-p90; band-limited counts."""
    g, r = gen.bands, ref.bands
    w1 = standardised_w1(g, r)
    out: dict = {}
    for k, name in enumerate(BAND_NAMES):
        out[f"band/{name}/median_db"] = finite_median(g[:, k])
        out[f"band/{name}/ref_median_db"] = finite_median(r[:, k])
        out[f"band/{name}/w1"] = float(w1[k]) if np.isfinite(w1[k]) else None
        out[f"band/{name}/in_ref_p10_p90"] = _share_inside(g[:, k], r[:, k])
    out["band/n_band_limited"] = n_band_limited(gen.band_limit_hz, gen.sr)
    out["band/n_band_limited_ref"] = n_band_limited(ref.band_limit_hz, ref.sr)
    return out
