"""DiffAugment (Zhao et al., NeurIPS 2020) with audio-safe, differentiable operations.

With ~90 training kicks D memorises the real set; DiffAugment applies the same random,
differentiable transformations to real and fake batches before D (and in G's step), so D
cannot overfit the raw data while G still receives gradients through the augmentation.

Operations act on the last axis as time and, for spectrograms, axis -2 as frequency.
They work on ``spec [B,C,F,N]`` and ``wave [B,1,T]`` alike:

| op        | what                                                                       |
| --------- | -------------------------------------------------------------------------- |
| shift     | delay by 0 .. 1/16 of the time axis, circularly (the silent tail wraps in)  |
| gain      | multiply by a gain of 0 .. -6 dB (waves, linear ``complex`` spectrograms)   |
| offset    | add U(-0.1, 0.1) (a level change for normalised ``logmag``)                 |
| freqmask  | zero a band of up to 1/8 of the frequency axis (waves: of the rfft bins)    |
| timemask  | zero a span of up to 1/8 of the time axis                                   |

Random parameters are drawn per sample, on the CPU, from the ``torch.Generator`` passed in,
so the same generator state gives the same augmentation on any device.
"""

from __future__ import annotations

import torch

from kickgan.errors import ParameterError

OPS = ("shift", "gain", "offset", "freqmask", "timemask")
DEFAULT_POLICY = {
    "logmag": "shift,offset,freqmask,timemask",
    "warped": "shift,offset,freqmask,timemask",
    "complex": "shift,gain,freqmask,timemask",
    "mag_if": "shift,freqmask,timemask",
    "wave": "shift,gain,freqmask,timemask",
}
MAX_SHIFT = 1 / 16
MAX_GAIN_DB = 6.0
MAX_OFFSET = 0.1
MAX_MASK = 1 / 8


def parse_policy(policy: str) -> tuple[str, ...]:
    """``"shift,gain"`` -> ("shift", "gain"); empty string -> (); unknown ops raise ``ParameterError``."""
    ops = tuple(op.strip() for op in policy.split(",") if op.strip())
    unknown = [op for op in ops if op not in OPS]
    if unknown:
        raise ParameterError(f"augment policy: unknown op(s) {', '.join(unknown)}; known: {', '.join(OPS)}")
    return ops


def diff_augment(x: torch.Tensor, policy: str, generator: torch.Generator, prob: float = 1.0) -> torch.Tensor:
    """Augment ``spec [B,C,F,N]`` or ``wave [B,1,T]`` by the comma-separated ``policy``; same shape.

    Each sample is augmented with probability ``prob`` (drawn per sample, after the ops'
    own parameters) and passed through unchanged otherwise.
    """
    if x.dim() not in (3, 4):
        raise ParameterError(f"augment: expected spec [B,C,F,N] or wave [B,1,T], got shape {tuple(x.shape)}")
    if prob <= 0.0:
        return x
    y = x
    for op in parse_policy(policy):
        y = _APPLY[op](y, generator)
    if prob >= 1.0:
        return y
    chosen = torch.rand(x.shape[0], generator=generator) < prob
    return torch.where(_per_sample(chosen, x).bool(), y, x)


def _per_sample(values: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """[B] -> [B,1,...] on x's device and dtype, for broadcasting."""
    return values.to(x.device, x.dtype).view(-1, *([1] * (x.dim() - 1)))


def _span_mask(length: int, max_width: int, batch: int, generator: torch.Generator) -> torch.Tensor:
    """[B, length] float mask, 0 on one random span of width 0..max_width per row, 1 elsewhere."""
    width = torch.randint(0, max_width + 1, (batch,), generator=generator)
    start = (torch.rand(batch, generator=generator) * (length - width + 1)).floor().long()
    pos = torch.arange(length).view(1, -1)
    inside = (pos >= start.view(-1, 1)) & (pos < (start + width).view(-1, 1))
    return (~inside).float()


def _shift(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    length = x.shape[-1]
    delay = torch.randint(0, int(length * MAX_SHIFT) + 1, (x.shape[0],), generator=generator)
    index = (torch.arange(length).view(1, -1) - delay.view(-1, 1)) % length  # [B, T]
    index = index.to(x.device).view(x.shape[0], *([1] * (x.dim() - 2)), length).expand_as(x)
    return torch.gather(x, -1, index)


def _gain(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    db = -MAX_GAIN_DB * torch.rand(x.shape[0], generator=generator)
    return x * _per_sample(10 ** (db / 20), x)


def _offset(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return x + _per_sample(MAX_OFFSET * (2 * torch.rand(x.shape[0], generator=generator) - 1), x)


def _freqmask(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    if x.dim() == 4:
        n_freq = x.shape[-2]
        mask = _span_mask(n_freq, int(n_freq * MAX_MASK), x.shape[0], generator)
        return x * mask.to(x.device, x.dtype).view(x.shape[0], 1, n_freq, 1)
    spectrum = torch.fft.rfft(x)
    n_rfft = spectrum.shape[-1]
    mask = _span_mask(n_rfft, int(n_rfft * MAX_MASK), x.shape[0], generator)
    return torch.fft.irfft(spectrum * mask.to(x.device).view(x.shape[0], 1, n_rfft), n=x.shape[-1])


def _timemask(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    length = x.shape[-1]
    mask = _span_mask(length, int(length * MAX_MASK), x.shape[0], generator)
    return x * mask.to(x.device, x.dtype).view(x.shape[0], *([1] * (x.dim() - 2)), length)


_APPLY = {"shift": _shift, "gain": _gain, "offset": _offset, "freqmask": _freqmask, "timemask": _timemask}
