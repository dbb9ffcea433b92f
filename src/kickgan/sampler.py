"""A trained generator as a producer sees it: seeds in, kicks out.

    s = KickSampler.from_checkpoint("runs/00003-dcgan_wgangp")   # its best.pt, else latest.pt
    y = s.generate([0, 1, 2])                                     # np.ndarray [3, s.length] at s.sr

Kick ``i`` is made from seed ``i`` alone (:func:`kickgan.models.sample_latents`),
by the EMA generator, and turned into audio by the run's own representation
(with the statistics stored in the checkpoint), so the same checkpoint and seed
give the same kick anywhere. With ``precision="bf16"`` (or ``fp16`` on CUDA) the
generator runs under autocast; the representation's decoding stays float32.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from kickgan.audio.preprocess import finish_edges
from kickgan.checkpoints import file_sha256, load_generator, resolve_checkpoint
from kickgan.config import config_from_dict
from kickgan.errors import KickganError
from kickgan.models import sample_latents
from kickgan.models.family import load_sampling_generator
from kickgan.models.precision import autocast, check_precision, prepare
from kickgan.spectral import make_representation

DECODE_CHUNK = 64


@torch.no_grad()
def decode_each(rep: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``rep.decode`` one example at a time: ``x [B,*shape]`` -> ``wave [B,1,T]``.

    Phase reconstruction draws random phases for the quietest bins by batch position,
    so a batched decode would make a kick depend on its neighbours; one at a time, a
    seed's kick is the same in any batch (and equal to its preview).
    """
    return torch.cat([rep.decode(x[i : i + 1]) for i in range(len(x))]) if len(x) else rep.decode(x)


class KickSampler:
    """The EMA generator and the representation of one checkpoint, in eval mode on ``device``;
    G runs in ``precision`` (fp32, bf16, or fp16 on CUDA)."""

    def __init__(self, G: torch.nn.Module, rep: torch.nn.Module, cfg, path: Path, device: str | torch.device,
                 precision: str = "fp32"):
        self.device = torch.device(device)
        check_precision(precision, self.device)
        self.G, self.rep, self.cfg, self.path = prepare(G, precision), rep, cfg, path
        self.precision = precision
        self._hash: str | None = None

    @classmethod
    def from_checkpoint(cls, path: str | Path, device: str | torch.device = "cpu", precision: str = "fp32") -> KickSampler:
        """Load a checkpoint or generator file (``kickgan export``), or a run folder's
        ``checkpoints/best.pt`` (else ``latest.pt``)."""
        path = resolve_checkpoint(path)
        state = load_generator(path)
        cfg = config_from_dict(state["config"], source=f"{path} (config)")
        rep = make_representation(cfg.representation)
        try:
            rep.load_state_dict(state["representation"])
            G = load_sampling_generator(cfg.model, tuple(rep.shape), state)  # the model family's generator
        except (RuntimeError, KeyError) as exc:
            raise KickganError(f"{path}: weights do not fit the stored config ({str(exc).splitlines()[0]})") from None
        except KickganError as exc:
            raise KickganError(f"{path}: {exc}") from None
        return cls(G.to(device).eval(), rep.to(device).eval(), cfg, path, device, precision)

    @property
    def sr(self) -> int:
        return self.cfg.representation.sr

    @property
    def length(self) -> int:
        return self.cfg.representation.length

    @property
    def z_dim(self) -> int:
        return self.cfg.model.z_dim

    @property
    def checkpoint_hash(self) -> str:
        """SHA-256 of the checkpoint file: names exactly which weights made a kick."""
        if self._hash is None:
            self._hash = file_sha256(self.path)
        return self._hash

    def latents(self, seeds: list[int]) -> torch.Tensor:
        """``z [len(seeds), z_dim]``; row ``i`` depends only on ``seeds[i]``."""
        return sample_latents(self.cfg.model, list(seeds))

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """``z [B, z_dim]`` -> ``wave [B, 1, length]`` (CPU float32): G in chunks of 64, then
        :func:`decode_each` so each kick is independent of its batch."""
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise KickganError(f"decode: expected z [B, {self.z_dim}] (got {list(z.shape)})")
        chunks = [decode_each(self.rep, self._generate(z[i : i + DECODE_CHUNK])).float().cpu()
                  for i in range(0, len(z), DECODE_CHUNK)]
        return torch.cat(chunks) if chunks else torch.zeros(0, 1, self.length)

    def _generate(self, z: torch.Tensor) -> torch.Tensor:
        """G's output for ``z``, computed in the sampler's precision, as float32."""
        with autocast(self.precision, self.device):
            return self.G(z.to(self.device)).float()

    def generate(self, seeds: list[int], raw: bool = False) -> np.ndarray:
        """The kicks of ``seeds``: ``np.ndarray [B, length]`` float32 at ``sr``, with the start and end a
        producer's file has (:func:`~kickgan.audio.preprocess.finish_edges`; ``raw``: as decoded)."""
        waves = self.decode(self.latents(seeds)).squeeze(1).numpy()
        if raw:
            return waves
        return np.stack([finish_edges(y, self.sr) for y in waves]) if len(waves) else waves
