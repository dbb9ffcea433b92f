"""Quality measures taken at each preview: D on held-out kicks, and the previews against the val split.

``val/d_real`` and ``val/d_train`` are D's mean logits on val and on as many train
examples; their gap ``val/d_gap`` grows as D memorises the training set (Karras et al.
2020's overfitting heuristic). ``val/desc_w1`` is the mean reference-standardised
Wasserstein-1 distance between the descriptors (body frequency, decay, centroid, ...)
of the previews and of the val kicks; ``val/spectral`` the mean dB difference of their
average spectra. Lower is better for both; either can choose the ``best`` checkpoint.
At a rate that holds the 8-16 kHz band, ``val/desc_bands_w1`` is the same mean over the
descriptors and the 4-8 and 8-16 kHz band levels (dB of the kick's energy): the score that
lets a full-band model's selection see its upper bands, which no descriptor above does.
With ``kid``, ``val/kid`` is the KID of the previews against the val kicks in the evaluation's
aisfx-512 embedding, seeded as ``kickgan evaluate`` computes it
(:func:`~kickgan.metrics.kid.kernel_distance`): the selection that tracks the test kits' KID best,
and ``val/kid_desc`` its product with ``val/desc_w1`` (KID floored at 0): a selection on both, the
two scores a recipe is judged by, with no scale to choose (docs/training.md, "Which selection rule
tracks the test split"); at full band ``val/kid_desc_bands`` is its product with ``val/desc_bands_w1``.
Given the train kicks, ``val/mem`` is the median memorisation ratio of the previews in that embedding
(:func:`~kickgan.metrics.memorisation.nn_ratios`: the evaluation's memorisation, which needs no test
kick): ``best_min_memorisation`` keeps near-copies out of ``best.pt``.
"""

from __future__ import annotations

import numpy as np
import torch

from kickgan.audio.descriptors import BANDS_HZ, NAMES, band_levels_db, describe
from kickgan.metrics.descriptors import standardised_w1
from kickgan.metrics.embedding import embed
from kickgan.metrics.kid import kernel_distance
from kickgan.metrics.memorisation import nn_ratios
from kickgan.sampler import decode_each
from kickgan.train.previews import spectral_distance

TRACKED = {"body_hz_20ms": "preview/body_hz", "decay40_ms": "preview/decay40_ms", "centroid_hz": "preview/centroid_hz"}
UPPER_BANDS = [k for k, (low, _) in enumerate(BANDS_HZ) if low >= 4000]  # 4-8 and 8-16 kHz


def selection_features(clips: np.ndarray, sr: int, bands: bool = True) -> np.ndarray:
    """The descriptors ``[N, len(NAMES)]`` of ``clips [N,T]``, then (``bands``) the 4-8 and 8-16 kHz
    band levels: the features the selection scores compare."""
    desc = describe(clips, sr)
    return np.concatenate([desc, band_levels_db(clips, sr)[:, UPPER_BANDS]], axis=1) if bands else desc


class Validator:
    """Holds the val split (encoded, and decoded again) and its descriptors, computed once.

    The previews are compared with the val kicks *as the representation reproduces them*
    (encoded then decoded), so what no generator could fix (e.g. the tail a circular STFT
    wraps round, the floor phase reconstruction leaves) cancels out of the measures. With
    ``kid`` their aisfx-512 embeddings are kept too, and each call scores ``val/kid``; with ``kid`` and
    ``train_clips [N,T]`` (the train kicks as recorded, as the evaluation reads them) also ``val/mem``.
    """

    def __init__(self, rep: torch.nn.Module, val_specs: torch.Tensor, train_specs: torch.Tensor, sr: int,
                 kid: bool = False, train_clips: np.ndarray | None = None):
        self.sr = sr
        self.val_specs = val_specs
        self.train_specs = train_specs[: len(val_specs)]
        self.val_clips = decode_each(rep, val_specs).squeeze(1).float().cpu().numpy() if len(val_specs) else None
        self.val_desc = self._describe(self.val_clips) if len(val_specs) else None
        self.val_emb = embed(self.val_clips, sr) if kid and len(val_specs) > 1 else None
        has_train = train_clips is not None and len(train_clips) > 1
        self.train_emb = embed(train_clips, sr) if self.val_emb is not None and has_train else None

    @property
    def full_band(self) -> bool:
        """Whether the rate holds every band of ``BANDS_HZ`` (up to 16 kHz)."""
        return BANDS_HZ[-1][1] <= self.sr / 2

    def _describe(self, clips: np.ndarray) -> np.ndarray:
        return selection_features(clips, self.sr, bands=self.full_band)

    @property
    def available(self) -> bool:
        return self.val_clips is not None

    @torch.no_grad()
    def __call__(self, D: torch.nn.Module | None, waves: np.ndarray) -> dict[str, float]:
        """The measures for preview ``waves [B,T]`` and critic ``D`` (``None``: a model family
        without one, no ``val/d_*``), as namespaced scalars."""
        desc = self._describe(waves)
        out = {key: _nanmedian(desc[:, NAMES.index(name)]) for name, key in TRACKED.items()}
        if not self.available:
            return out
        if D is not None:
            was_training = D.training
            D.eval()
            try:
                d_val = _mean_logit(D, self.val_specs)
                d_train = _mean_logit(D, self.train_specs)
            finally:
                D.train(was_training)
            out.update({"val/d_real": d_val, "val/d_train": d_train, "val/d_gap": d_train - d_val})
        w1 = standardised_w1(desc, self.val_desc)
        out.update({"val/desc_w1": _nanmean(w1[: len(NAMES)]), "val/spectral": spectral_distance(waves, self.val_clips)})
        if self.full_band:
            out["val/desc_bands_w1"] = _nanmean(w1)
        if self.val_emb is not None and len(waves) > 1:
            emb = embed(waves, self.sr)
            out["val/kid"] = kernel_distance(emb, self.val_emb)[0]
            out["val/kid_desc"] = max(out["val/kid"], 0.0) * out["val/desc_w1"]
            if self.full_band:
                out["val/kid_desc_bands"] = max(out["val/kid"], 0.0) * out["val/desc_bands_w1"]
            if self.train_emb is not None:
                out["val/mem"] = float(np.median(nn_ratios(emb, self.train_emb)[0]))
        return out


def checkpoint_validator(sampler, kid: bool = False) -> Validator:
    """The validator of the run that wrote ``sampler``'s checkpoint (a
    :class:`~kickgan.sampler.KickSampler`): its val split, through its fitted representation, and its train
    kicks as recorded (``val/mem``, with ``kid``), without a critic (no ``val/d_*``). Replays a selection
    score on any kept checkpoint:
    ``checkpoint_validator(s, kid=True)(None, s.generate(range(64)))["val/kid"]`` is the ``val/kid``
    the run logged at that step with ``val_n: 64``."""
    from kickgan.train.data import load_training_clips

    rep, cfg = sampler.rep, sampler.cfg
    train, val = load_training_clips(cfg.data, cfg.representation.sr, cfg.representation.length)
    with torch.no_grad():
        specs = rep.encode(torch.from_numpy(val)[:, None]) if len(val) else torch.zeros(0, *rep.shape)
    return Validator(rep, specs, specs[:0], cfg.representation.sr, kid=kid, train_clips=train)


def _mean_logit(D: torch.nn.Module, x: torch.Tensor, chunk: int = 64) -> float:
    device = next(D.parameters()).device
    return float(torch.cat([D(x[i : i + chunk].to(device)).float().cpu() for i in range(0, len(x), chunk)]).mean())


def _nanmean(x: np.ndarray) -> float:
    return float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")


def _nanmedian(x: np.ndarray) -> float:
    return float(np.nanmedian(x)) if np.isfinite(x).any() else float("nan")
