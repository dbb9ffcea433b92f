"""Quality measures taken at each preview: D on held-out kicks, and the previews against the val split.

``val/d_real`` and ``val/d_train`` are D's mean logits on val and on as many train
examples; their gap ``val/d_gap`` grows as D memorises the training set (Karras et al.
2020's overfitting heuristic). ``val/desc_w1`` is the mean reference-standardised
Wasserstein-1 distance between the descriptors (body frequency, decay, centroid, ...)
of the previews and of the val kicks; ``val/spectral`` the mean dB difference of their
average spectra. Lower is better for both; either can choose the ``best`` checkpoint.
"""

from __future__ import annotations

import numpy as np
import torch

from kickgan.metrics.descriptors import NAMES, describe, standardised_w1
from kickgan.sampler import decode_each
from kickgan.train.previews import spectral_distance

TRACKED = {"body_hz_20ms": "preview/body_hz", "decay40_ms": "preview/decay40_ms", "centroid_hz": "preview/centroid_hz"}


class Validator:
    """Holds the val split (encoded, and decoded again) and its descriptors, computed once.

    The previews are compared with the val kicks *as the representation reproduces them*
    (encoded then decoded), so what no generator could fix (e.g. the tail a circular STFT
    wraps round, the floor phase reconstruction leaves) cancels out of the measures.
    """

    def __init__(self, rep: torch.nn.Module, val_specs: torch.Tensor, train_specs: torch.Tensor, sr: int):
        self.sr = sr
        self.val_specs = val_specs
        self.train_specs = train_specs[: len(val_specs)]
        self.val_clips = decode_each(rep, val_specs).squeeze(1).float().cpu().numpy() if len(val_specs) else None
        self.val_desc = describe(self.val_clips, sr) if len(val_specs) else None

    @property
    def available(self) -> bool:
        return self.val_clips is not None

    @torch.no_grad()
    def __call__(self, D: torch.nn.Module, waves: np.ndarray) -> dict[str, float]:
        """The measures for preview ``waves [B,T]`` and critic ``D``, as namespaced scalars."""
        desc = describe(waves, self.sr)
        out = {key: _nanmedian(desc[:, NAMES.index(name)]) for name, key in TRACKED.items()}
        if not self.available:
            return out
        was_training = D.training
        D.eval()
        try:
            d_val = _mean_logit(D, self.val_specs)
            d_train = _mean_logit(D, self.train_specs)
        finally:
            D.train(was_training)
        w1 = standardised_w1(desc, self.val_desc)
        out.update(
            {
                "val/d_real": d_val,
                "val/d_train": d_train,
                "val/d_gap": d_train - d_val,
                "val/desc_w1": float(np.nanmean(w1)) if np.isfinite(w1).any() else float("nan"),
                "val/spectral": spectral_distance(waves, self.val_clips),
            }
        )
        return out


def _mean_logit(D: torch.nn.Module, x: torch.Tensor, chunk: int = 64) -> float:
    device = next(D.parameters()).device
    return float(torch.cat([D(x[i : i + chunk].to(device)).float().cpu() for i in range(0, len(x), chunk)]).mean())


def _nanmedian(x: np.ndarray) -> float:
    return float(np.nanmedian(x)) if np.isfinite(x).any() else float("nan")
