"""Guards that make a failing run visible: non-finite numbers stop it, degenerate previews are reported.

GAN runs on small sets often diverge ("back to noise") or collapse to one sample.
A non-finite loss or weight raises :class:`NonFiniteError` before the optimiser
step, so the weights and the last checkpoint stay good; the preview bank is
checked for silence, constant signals and near-identical samples.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from kickgan.errors import KickganError

SILENT_PEAK = 1e-3  # -60 dBFS: every preview quieter than this is "silent"
CONSTANT_STD = 1e-3  # a preview whose samples vary less than this is "constant" (e.g. pure DC)
COLLAPSED_DIVERSITY = 0.05  # mean pairwise distance / mean norm below this is "collapsed"
# +60 dB over a peak-normalised training kick: a preview this loud is "loud" (saturated bins). Spectrogram
# GANs often overshoot by 10-40 dB (kept checkpoints of 18 open-kick runs: 64-kick peaks up to 1e3, their
# test KID as good as the rest; the files are levelled on export); saturated bins decode 1e4-1e10.
LOUD_PEAK = 1000.0


class NonFiniteError(KickganError):
    """Training produced NaN or infinity; the message names the step and the quantity."""


def check_finite_scalars(step: int, scalars: dict[str, float]) -> None:
    """Raise :class:`NonFiniteError` naming ``step`` and the first non-finite scalar."""
    for name, value in scalars.items():
        if not math.isfinite(value):
            raise NonFiniteError(f"step {step}: non-finite {name} ({value})")


def check_finite_weights(step: int, modules: dict[str, torch.nn.Module]) -> None:
    """Raise :class:`NonFiniteError` if any parameter or buffer of ``modules`` is NaN or infinite."""
    for label, module in modules.items():
        for name, tensor in list(module.named_parameters()) + list(module.named_buffers()):
            if tensor.is_floating_point() and not torch.isfinite(tensor).all():
                raise NonFiniteError(f"step {step}: non-finite weight {label}.{name}")


def preview_health(waves: np.ndarray) -> dict[str, float]:
    """Scalars describing a preview bank ``waves [B, T]`` and whether it is degenerate.

    Returns ``preview/peak`` (max |y|), ``preview/std`` (median per-clip standard deviation),
    ``preview/diversity`` (mean pairwise Euclidean distance over mean clip norm: 0 for
    identical clips, about 1.4 for independent ones) and the flags ``preview/silent``,
    ``preview/constant``, ``preview/collapsed`` and ``preview/loud`` (1.0 or 0.0); ``loud`` when any
    preview peaks above ``LOUD_PEAK`` (a spectrogram model that saturates
    a few bins decodes kicks 1e4-1e10 loud, which the peak-normalised descriptors do not see).
    """
    waves = np.asarray(waves, dtype=np.float64)
    peak = float(np.abs(waves).max()) if waves.size else 0.0
    std = float(np.median(waves.std(axis=1))) if len(waves) else 0.0
    diversity = _diversity(waves)
    silent = peak < SILENT_PEAK
    constant = not silent and bool((waves.std(axis=1) < CONSTANT_STD).all())
    collapsed = not silent and not constant and len(waves) > 1 and diversity < COLLAPSED_DIVERSITY
    return {
        "preview/peak": peak,
        "preview/std": std,
        "preview/diversity": diversity,
        "preview/silent": float(silent),
        "preview/constant": float(constant),
        "preview/collapsed": float(collapsed),
        "preview/loud": float(peak > LOUD_PEAK),
    }


def health_warnings(health: dict[str, float]) -> list[str]:
    """One human sentence per degenerate flag set in ``health``."""
    messages = {
        "preview/silent": f"previews are silent (peak {health['preview/peak']:.2g} < {SILENT_PEAK})",
        "preview/constant": f"previews are constant signals (std < {CONSTANT_STD})",
        "preview/collapsed": (
            f"previews have collapsed to near-identical kicks (diversity {health['preview/diversity']:.3f}"
            f" < {COLLAPSED_DIVERSITY})"
        ),
        "preview/loud": (f"previews peak at {health['preview/peak']:.2g}, over {LOUD_PEAK:g} (training kicks peak at 1): "
                         "saturated spectrogram bins"),
    }
    return [text for key, text in messages.items() if health.get(key)]


def _diversity(waves: np.ndarray) -> float:
    if len(waves) < 2:
        return 0.0
    norms = np.linalg.norm(waves, axis=1)
    scale = norms.mean()
    if scale == 0:
        return 0.0
    sq = (waves**2).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * waves @ waves.T, 0.0)
    iu = np.triu_indices(len(waves), k=1)
    return float(np.sqrt(d2[iu]).mean() / scale)
