"""Numeric precision of the networks' forward and backward passes: ``fp32``, ``bf16`` or ``fp16``.

``bf16`` and ``fp16`` are autocast (``torch.autocast``): weights, optimiser state and
everything outside :func:`autocast` stay float32; inside, convolutions and matrix
products run in the low-precision type and their backward passes follow. ``bf16``
runs on CPUs (fast with AVX512-BF16 or AMX) and recent GPUs; ``fp16`` needs CUDA and a
gradient scaler during training (:class:`torch.amp.GradScaler`). In bf16 and fp16 the
2-D networks also keep their weights channels-last (:func:`prepare`), which made a bf16
step of the default config 8 % faster on this CPU (docs/training.md); fp32 keeps the
default layout, so fp32 runs stay bit-identical to earlier versions.
"""

from __future__ import annotations

import contextlib

import torch

from kickgan.errors import KickganError

PRECISIONS = ("fp32", "bf16", "fp16")
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def check_precision(precision: str, device: torch.device, option: str = "precision") -> None:
    """Raise ``KickganError`` naming ``option`` when ``precision`` is unknown or unsupported on ``device``."""
    if precision not in PRECISIONS:
        raise KickganError(f"{option}: must be one of {', '.join(PRECISIONS)} (got {precision!r})")
    if precision == "fp16" and device.type != "cuda":
        raise KickganError(f"{option}: fp16 needs a CUDA device (got {device.type}); use bf16 on a CPU")


def autocast(precision: str, device: torch.device):
    """A context that runs the networks in ``precision`` on ``device`` (a no-op for fp32)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=DTYPES[precision])


def prepare(module: torch.nn.Module, precision: str) -> torch.nn.Module:
    """``module`` itself, its 4-D weights made channels-last unless ``precision`` is fp32."""
    if precision != "fp32":
        module.to(memory_format=torch.channels_last)
    return module
