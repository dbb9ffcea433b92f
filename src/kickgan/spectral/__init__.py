"""Invertible spectrogram representations of kicks, phase reconstruction and round-trip metrics.

``SpecConfig`` says which representation (``logmag``, ``warped``, ``complex``, ``mag_if``,
``wave``) and which shape; ``make_representation(cfg)`` gives the module that
encodes ``wave [B,1,T]`` to ``spec [B,C,F,N]`` and decodes it back. See docs/spectral.md.
"""

from kickgan.spectral.config import PRESETS, SpecConfig
from kickgan.spectral.griffinlim import griffin_lim
from kickgan.spectral.module import Representation, make_representation
from kickgan.spectral.pghi import pghi
from kickgan.spectral.representations import (
    complex_forward,
    complex_inverse,
    invert_magnitude,
    logmag_forward,
    logmag_inverse,
    mag_if_forward,
    mag_if_inverse,
)
from kickgan.spectral.stft import istft, stft

__all__ = [
    "PRESETS",
    "Representation",
    "SpecConfig",
    "complex_forward",
    "complex_inverse",
    "griffin_lim",
    "invert_magnitude",
    "istft",
    "logmag_forward",
    "logmag_inverse",
    "mag_if_forward",
    "mag_if_inverse",
    "make_representation",
    "pghi",
    "stft",
]
