"""``Representation``: a representation as an ``nn.Module`` that holds only its statistics.

The module wraps the pure functions of :mod:`kickgan.spectral.representations`;
its buffers (``mean``, ``std`` per frequency bin, and ``fitted``) travel inside
checkpoints through ``state_dict`` and beside a dataset through
:meth:`Representation.save_stats` (safetensors, atomic). Kinds without statistics
(``complex``, ``wave``) have no buffers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import nn

from kickgan.errors import KickganError
from kickgan.io import atomic_path
from kickgan.spectral import representations as R
from kickgan.spectral.config import SpecConfig


class Representation(nn.Module):
    """Encode ``wave [B,1,T]`` as ``spec [B,C,F,N]`` (about ``[-1, 1]``) and decode it back."""

    def __init__(self, cfg: SpecConfig) -> None:
        super().__init__()
        self.cfg = cfg
        if cfg.has_stats:
            self.register_buffer("mean", torch.zeros(cfg.n_freq))
            self.register_buffer("std", torch.ones(cfg.n_freq))
            self.register_buffer("fitted", torch.tensor(False))

    @property
    def shape(self) -> tuple[int, ...]:
        """``(C, F, N)``, or ``(1, T)`` for ``wave``."""
        return self.cfg.shape

    def fit(self, clips: np.ndarray) -> Representation:
        """Fit the per-bin statistics on the training clips ``[N, T]`` (no-op for kinds without any)."""
        clips = np.asarray(clips)
        if clips.ndim != 2 or clips.shape[1] != self.cfg.length or len(clips) == 0:
            raise KickganError(f"fit: expected clips [N, {self.cfg.length}] with N > 0 (got {list(clips.shape)})")
        if self.cfg.has_stats:
            mean, std = R.fit_stats(R.add_lead(clips, self.cfg.lead), self.cfg)
            self.mean.copy_(mean)
            self.std.copy_(std)
            self.fitted.fill_(True)
        return self

    def encode(self, wave: torch.Tensor) -> torch.Tensor:
        """``wave [B,1,T]`` -> ``spec [B,*shape]``; differentiable."""
        self._check(wave, (1, self.cfg.length), "encode: wave")
        wave = R.add_lead(wave, self.cfg.lead)
        kind = self.cfg.kind
        if kind == "wave":
            return wave
        if kind == "complex":
            return R.complex_forward(wave, self.cfg)
        self._check_fitted()
        if kind in ("logmag", "warped"):
            return R.logmag_forward(wave, self.cfg, self.mean, self.std)
        return R.mag_if_forward(wave, self.cfg, self.mean, self.std)

    def decode(self, spec: torch.Tensor, **inversion) -> torch.Tensor:
        """``spec [B,*shape]`` -> ``wave [B,1,T]``; ``inversion=``/``gl_iters=`` override the config's."""
        self._check(spec, self.shape, "decode: spec")
        cfg = self.cfg.replace(**inversion) if inversion else self.cfg
        if cfg.kind == "wave":
            wave = spec
        elif cfg.kind == "complex":
            wave = R.complex_inverse(spec, cfg)
        else:
            self._check_fitted()
            if cfg.kind == "mag_if":
                wave = R.mag_if_inverse(spec, cfg, self.mean, self.std)
            else:
                wave = R.invert_magnitude(R.logmag_inverse(spec, cfg, self.mean, self.std), cfg)
        return R.cut_lead(wave, cfg.lead)

    def save_stats(self, path: str | Path) -> None:
        """Write the statistics and the config to a safetensors file, atomically."""
        tensors = {k: v.detach().cpu().contiguous() for k, v in self.state_dict().items()}
        with atomic_path(path) as tmp:
            save_file(tensors, str(tmp), metadata={"spec_config": json.dumps(_stats_key(self.cfg))})

    def load_stats(self, path: str | Path) -> Representation:
        """Read statistics written by :meth:`save_stats` for the same STFT and kind."""
        try:
            with safe_open(str(path), framework="pt") as f:
                stored = json.loads((f.metadata() or {}).get("spec_config", "{}"))
                tensors = {k: f.get_tensor(k) for k in f.keys()}
        except (OSError, SafetensorError, json.JSONDecodeError) as exc:
            raise KickganError(f"{path}: cannot read representation statistics ({exc})") from None
        expected = _stats_key(self.cfg)
        if stored != expected:
            diff = ", ".join(f"{k} {stored.get(k)!r} != {v!r}" for k, v in expected.items() if stored.get(k) != v)
            raise KickganError(f"{path}: statistics of another representation ({diff})")
        self.load_state_dict(tensors)
        return self

    def _check_fitted(self) -> None:
        if not bool(self.fitted):
            raise KickganError(
                f"{self.cfg.kind}: statistics not fitted; call fit(train clips) or load_stats(path) first"
            )

    @staticmethod
    def _check(x: torch.Tensor, shape: tuple[int, ...], what: str) -> None:
        if x.dim() != len(shape) + 1 or tuple(x.shape[1:]) != tuple(shape):
            raise KickganError(f"{what}: expected [B, {', '.join(map(str, shape))}] (got {list(x.shape)})")


def make_representation(cfg: SpecConfig) -> Representation:
    """The :class:`Representation` of ``cfg`` (fit or load its statistics before use)."""
    return Representation(cfg)


def _stats_key(cfg: SpecConfig) -> dict:
    keys = ("kind", "sr", "length", "n_fft", "hop_length", "n_freq", "log_eps")
    if cfg.kind == "warped":  # only here, so the statistics files of the other kinds stay as they were
        keys += ("warp_hz",)
    if cfg.lead:
        keys += ("lead",)
    return {k: getattr(cfg, k) for k in keys}
