"""The flow family's solver: one conditional flow-matching update per step (:mod:`kickgan.losses.flow_matching`).

Per step: noise ``z`` of the batch's shape and times ``t`` are drawn from the solver's own generator
(one call each), the velocity network regresses ``x - z`` at ``x_t = (1 - t) z + t x``, Adam steps
(after clipping the gradient norm to ``optim.grad_clip``), and the EMA of the generator follows
with the GAN's warm-up, ``min(ema_decay, (1 + step) / (10 + step))``. Previews and checkpoints'
``G_ema`` are the EMA generator. :meth:`FlowSolver.state_dict` holds everything that changes, so a
restored solver continues bit for bit. The interface is :mod:`kickgan.train.solvers`'.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from kickgan.config import TrainConfig
from kickgan.errors import KickganError
from kickgan.losses import flow_matching_loss, sample_times
from kickgan.models.flow import FlowGenerator
from kickgan.models.precision import autocast, prepare
from kickgan.train.distributed import Dist, average_gradients, broadcast_module
from kickgan.train.ema import EMA
from kickgan.train.guards import check_finite_scalars
from kickgan.train.rng import rng_state, set_rng_state


class FlowSolver:
    """The flow generator (its velocity network trained), its EMA, Adam and the solver's RNG."""

    batches_per_step = 1
    critic = None  # no critic: validation reports its other measures

    def __init__(self, cfg: TrainConfig, shape: tuple, info: Dist):
        self.cfg, self.info = cfg, info
        random.seed(cfg.seed)
        np.random.seed(cfg.seed)
        torch.manual_seed(cfg.seed)  # the same initial weights on every rank
        self.G = FlowGenerator(cfg.model, shape).to(info.device)
        broadcast_module(self.G, info)
        prepare(self.G, cfg.precision)
        self.ema = EMA(self.G, cfg.ema_decay)
        self.opt = torch.optim.Adam(self.G.parameters(), lr=cfg.optim.lr, betas=tuple(cfg.optim.betas))
        self.generator = torch.Generator().manual_seed(cfg.seed * 1009 + info.rank)
        self.step = 0

    def train_step(self, batches: list[torch.Tensor]) -> dict[str, float]:
        """One flow-matching update on ``batches[0]`` ``[B, *shape]``; returns the step's scalars.

        Raises :class:`kickgan.train.guards.NonFiniteError` before an optimiser step that would
        take a non-finite loss or gradient."""
        x, loss_cfg, step = batches[0], self.cfg.loss, self.step + 1
        z = torch.randn(x.shape, generator=self.generator).to(x.device)
        t = sample_times(len(x), loss_cfg.time, self.generator, loss_cfg.logit_mean, loss_cfg.logit_std).to(x.device)
        with autocast(self.cfg.precision, self.info.device):
            loss = flow_matching_loss(self.G.velocity, x, z, t)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        average_gradients(self.G, self.info)
        params = [p for p in self.G.parameters() if p.grad is not None]
        clip = self.cfg.optim.grad_clip
        norm = torch.nn.utils.clip_grad_norm_(params, clip) if clip > 0 else torch.nn.utils.get_total_norm(
            [p.grad for p in params])
        scalars = dict(zip(("loss/fm", "grad_norm/v"), torch.stack([loss.detach(), norm]).tolist(), strict=True))
        check_finite_scalars(step, scalars)
        self.opt.step()
        self.ema.decay = min(self.cfg.ema_decay, (1 + step) / (10 + step))
        self.ema.update(self.G)
        self.step = step
        scalars["lr"] = self.opt.param_groups[0]["lr"]
        return scalars

    @property
    def sampling_module(self) -> torch.nn.Module:
        """The EMA generator: what previews decode and the checkpoint's ``G_ema`` holds."""
        return self.ema.model

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt]

    def modules(self) -> dict[str, torch.nn.Module]:
        return {"G": self.G, "G_ema": self.ema.model}

    def state_dict(self) -> dict:
        return {"step": self.step, "G": self.G.state_dict(), "G_ema": self.ema.state_dict(),
                "opt": self.opt.state_dict(), "rng": rng_state(self.generator)}

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict` (from a checkpoint of the same config)."""
        try:
            self.G.load_state_dict(state["G"])
            self.ema.load_state_dict(state["G_ema"])
            self.opt.load_state_dict(state["opt"])
        except (RuntimeError, ValueError, KeyError) as exc:
            reason = str(exc).strip().splitlines()[0]
            raise KickganError(f"checkpoint does not fit this config's flow model ({reason})") from None
        set_rng_state(state["rng"], self.generator)
        self.step = int(state["step"])
