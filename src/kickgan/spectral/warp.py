"""The frequency warp of the ``warped`` representation: linear STFT bins at the body, bands above.

A kick's body (its pitch and sweep, below a few kHz) needs the STFT's fine bins; its top (the
beater, the click, the air) is noise-like, and what a listener hears of it is its envelope.
So the ``warped`` kind keeps the STFT bins below ``warp_hz`` one per row, and pools the bins
from there to Nyquist into ``n_freq - n_linear`` bands whose edges are geometrically spaced
(each band at least one bin wide). A band's value is the RMS magnitude of its bins, so
its energy is kept exactly; :func:`expand` gives every bin of a band that RMS value back,
so the expanded magnitude has each band's energy and a flat spectrum inside the band.

The pooling is one matrix ``[n_freq, n_fft//2]`` (rows of ``1/width`` over each band),
the expansion its 0/1 transpose ``[n_fft//2, n_freq]``. The Nyquist bin is dropped, as
every kind drops it.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch

from kickgan.errors import ParameterError


def n_linear(sr: int, n_fft: int, warp_hz: float) -> int:
    """How many STFT bins (from DC up) lie below ``warp_hz`` and are kept one per row."""
    return int(math.floor(warp_hz * n_fft / sr))


@lru_cache(maxsize=32)
def band_edges(sr: int, n_fft: int, n_freq: int, warp_hz: float) -> tuple[int, ...]:
    """Bin edges ``[n_freq + 1]``: row ``i`` holds bins ``edges[i] .. edges[i+1] - 1``.

    The first ``n_linear`` rows are single bins; the rest are geometrically spaced from
    ``warp_hz`` to Nyquist, widened where needed so each holds at least one bin.
    """
    lin, n_bins = n_linear(sr, n_fft, warp_hz), n_fft // 2
    n_bands = n_freq - lin
    if lin < 1 or n_bands < 1 or n_bands > n_bins - lin:
        raise ParameterError(
            f"warp_hz: {warp_hz:g} Hz keeps {lin} linear bins of {sr / n_fft:.1f} Hz, which leaves "
            f"{n_bands} of n_freq = {n_freq} rows for the {n_bins - lin} bins above; need 1 .. {n_bins - lin}"
        )
    geometric = np.geomspace(lin, n_bins, n_bands + 1)
    edges = list(range(lin)) + [lin]
    for i in range(1, n_bands + 1):
        # at least one bin per band, and room left for one bin per band still to come
        edge = max(int(round(geometric[i])), edges[-1] + 1)
        edges.append(min(edge, n_bins - (n_bands - i)))
    return tuple(edges)


def pool_matrix(edges: tuple[int, ...], dtype=torch.float32) -> torch.Tensor:
    """``[n_freq, n_bins]``: row ``i`` averages the bins of band ``i`` (weights ``1/width``)."""
    n_freq, n_bins = len(edges) - 1, edges[-1]
    m = torch.zeros(n_freq, n_bins, dtype=dtype)
    for i in range(n_freq):
        m[i, edges[i] : edges[i + 1]] = 1.0 / (edges[i + 1] - edges[i])
    return m


def pool(mag: torch.Tensor, edges: tuple[int, ...]) -> torch.Tensor:
    """Magnitude of all bins ``[..., n_fft//2+1, N]`` -> band RMS magnitude ``[..., n_freq, N]``."""
    power = mag[..., : edges[-1], :] ** 2
    return torch.matmul(pool_matrix(edges, mag.dtype), power).sqrt()


def expand(band_mag: torch.Tensor, edges: tuple[int, ...]) -> torch.Tensor:
    """Band magnitude ``[..., n_freq, N]`` -> magnitude of all bins ``[..., n_fft//2+1, N]``.

    Every bin of a band gets the band's RMS magnitude; the Nyquist bin is 0.
    """
    widths = torch.tensor(np.diff(edges), device=band_mag.device)
    mag = torch.repeat_interleave(band_mag, widths, dim=-2)
    return torch.cat([mag, mag.new_zeros(*mag.shape[:-2], 1, mag.shape[-1])], dim=-2)
