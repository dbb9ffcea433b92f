"""What the metrics read about a set of clips, computed once per set.

:func:`extract` turns ``clips [N,T]`` into :class:`Features`: the aisfx-512
embedding, the aisfx log-mel input (for memorisation), the kick descriptors, the
per-clip power spectrum (for artefacts) and the validity flags. Every array has one
row per clip, so a subset (the halves of the real-floor baseline) is a row selection.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from tqdm import tqdm

from kickgan.errors import ParameterError
from kickgan.metrics import embedding
from kickgan.metrics.artefacts import clip_power
from kickgan.audio.descriptors import band_levels_db, describe
from kickgan.metrics.edges import edges_of
from kickgan.metrics.validity import validity_flags

ARRAYS = ("emb", "mel", "desc", "power", "flags", "bands", "edges")


@dataclasses.dataclass(frozen=True)
class Features:
    """Per-clip features of one set (row i is clip ``names[i]``) at sample rate ``sr``.

    emb ``[N,512]`` aisfx-512; mel ``[N, frames*96]`` aisfx log-mel, flattened;
    desc ``[N,K]`` descriptors; power ``[N,F]`` mean STFT power; flags ``[N,3]`` validity;
    bands ``[N,3]`` band levels (dB; NaN above the Nyquist frequency); edges ``[N,4]`` first-sample
    level (dB), 10-50 % rise (ms), level 20-10 ms before the end (dB) and level of the first 10 ms (dB)
    (:mod:`kickgan.metrics.edges`);
    band_limit_hz ``[N]`` the Nyquist frequency of the lowest rate each clip passed through, or
    ``None`` if unknown (not a function of the samples, so never cached: see :func:`with_band_limits`).
    """

    names: list[str]
    sr: int
    emb: np.ndarray
    mel: np.ndarray
    desc: np.ndarray
    power: np.ndarray
    flags: np.ndarray
    bands: np.ndarray
    edges: np.ndarray
    band_limit_hz: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.names)

    def take(self, idx: np.ndarray) -> "Features":
        """The features of the clips at ``idx``."""
        idx = np.asarray(idx)
        arrays = {k: getattr(self, k)[idx] for k in ARRAYS}
        limits = None if self.band_limit_hz is None else self.band_limit_hz[idx]
        return Features([self.names[i] for i in idx], self.sr, **arrays, band_limit_hz=limits)

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in ARRAYS}


def with_band_limits(feats: Features, band_limit_hz: np.ndarray | None) -> Features:
    """``feats`` with its clips' band limits ``[N]`` (Hz); ``None`` leaves them unknown."""
    if band_limit_hz is None:
        return feats
    band_limit_hz = np.asarray(band_limit_hz, dtype=np.float64)
    if band_limit_hz.shape != (len(feats),):
        raise ParameterError(f"band limits: need one per clip ({len(feats)}), got shape {band_limit_hz.shape}")
    return dataclasses.replace(feats, band_limit_hz=band_limit_hz)


def with_file_edges(feats: Features, edges: np.ndarray | None) -> Features:
    """``feats`` with the edges ``[N,4]`` of its clips' files as written
    (:func:`kickgan.metrics.edges.file_edges`); ``None`` keeps those of the clips."""
    if edges is None:
        return feats
    edges = np.asarray(edges, dtype=np.float64)
    if edges.shape != (len(feats), 4):
        raise ParameterError(f"file edges: need [{len(feats)}, 4], got shape {edges.shape}")
    return dataclasses.replace(feats, edges=edges)


def extract(
    clips: np.ndarray, sr: int, names: list[str], batch_size: int = 64, label: str = "features", progress: bool = True
) -> Features:
    """Features of ``clips [N,T]`` at ``sr``; non-finite clips are scored as silence (and flagged).

    The embedding runs in batches of ``batch_size`` with a tqdm bar (``label``).
    """
    clips = np.asarray(clips, dtype=np.float32)
    if clips.ndim != 2 or len(clips) == 0 or len(names) != len(clips):
        raise ParameterError(f"{label}: need clips [N,T] with N >= 1 and one name each, got {clips.shape}, {len(names)} names")
    flags = validity_flags(clips)
    clips = np.where(flags[:, :1], 0.0, clips).astype(np.float32)
    desc = describe(clips, sr)
    power = clip_power(clips)
    mel = embedding.logmel(clips, sr)
    with tqdm(total=len(clips), desc=f"{label} ({embedding.NAME})", unit="clip", disable=not progress, leave=False) as bar:
        emb = embedding.embed_logmel(mel, batch_size=batch_size, progress=bar.update)
    edges = edges_of(clips, sr)
    return Features(list(names), sr, emb, mel.reshape(len(mel), -1), desc, power, flags, band_levels_db(clips, sr), edges)
