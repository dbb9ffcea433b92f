"""One GAN update: ``n_critic`` D steps on real and detached fake batches, then one G step.

:class:`Trainer` owns G, D, the EMA of G, both Adam optimisers and the loop's own
random generator (latents, augmentations, penalty mixing), and captures all of
them in :meth:`Trainer.state_dict`, so a restored trainer continues bit for bit.

G and D run in ``cfg.precision`` (:func:`kickgan.models.precision.autocast`); their outputs
are cast to float32 before the losses, so the losses' reductions, the penalties' norms,
EMA, the optimisers and their state stay float32. ``fp16`` adds one gradient scaler per
optimiser (saved with the rest of the state) for the backward pass of the total loss; the
penalties' inner input gradients are not scaled, since an overflow there would make the
penalty itself non-finite rather than be skipped by the scaler.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from kickgan import losses
from kickgan.config import TrainConfig
from kickgan.errors import KickganError
from kickgan.models import build_models, sample_latents
from kickgan.models.precision import autocast, prepare
from kickgan.modules import diff_augment
from kickgan.train.distributed import Dist, average_gradients, broadcast_module
from kickgan.train.ema import EMA
from kickgan.train.guards import check_finite_scalars
from kickgan.train.rng import rng_state, set_rng_state

SEED_SPACE = 2**62


class Trainer:
    """G, D, EMA-G, optimisers and RNG of one run.

    Args:
        cfg: the run's config.
        shape: ``rep.shape``, the shape of one real example.
        info: this process's rank, world size and device.
        real_profile: Durall's target profile ``[K]`` (needed when ``loss.durall_weight > 0``).
    """

    def __init__(self, cfg: TrainConfig, shape: tuple, info: Dist, real_profile: torch.Tensor | None = None):
        self.cfg, self.info = cfg, info
        random.seed(cfg.seed)
        np.random.seed(cfg.seed)
        torch.manual_seed(cfg.seed)  # the same initial weights on every rank
        G, D = build_models(cfg.model, shape)
        self.G, self.D = G.to(info.device), D.to(info.device)
        broadcast_module(self.G, info)
        broadcast_module(self.D, info)
        prepare(self.G, cfg.precision)
        prepare(self.D, cfg.precision)
        self.ema = EMA(self.G, cfg.ema_decay)
        betas = tuple(cfg.optim.betas)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.optim.lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.optim.lr_d, betas=betas)
        fp16 = cfg.precision == "fp16"
        self.scaler_d = torch.amp.GradScaler(info.device.type) if fp16 else None
        self.scaler_g = torch.amp.GradScaler(info.device.type) if fp16 else None
        self.generator = torch.Generator().manual_seed(cfg.seed * 1009 + info.rank)
        torch.manual_seed(cfg.seed * 1009 + info.rank)  # per-rank randomness inside the models
        self.real_profile = None if real_profile is None else real_profile.to(info.device)
        self.lecam_anchors = torch.zeros(2, device=info.device)  # moving means of D(real), D(fake)
        self.step = 0

    def latents(self, n: int) -> torch.Tensor:
        """``z [n, z_dim]`` for training: seeds drawn from the loop's generator, priors per the model config."""
        seeds = torch.randint(0, SEED_SPACE, (n,), generator=self.generator).tolist()
        return sample_latents(self.cfg.model, seeds).to(self.info.device)

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """DiffAugment (Zhao et al. 2020) with the config's policy, each sample with ``augment_prob``."""
        loss = self.cfg.loss
        if not loss.augment:
            return x
        return diff_augment(x, loss.augment, self.generator, prob=loss.augment_prob)

    def train_step(self, real_batches: list[torch.Tensor]) -> dict[str, float]:
        """``len(real_batches)`` D updates, one G update, one EMA update; returns the step's scalars.

        Raises :class:`kickgan.train.guards.NonFiniteError` before any optimiser step that would
        take a non-finite value. The scalars stay tensors until the end of the step: one host
        sync per update (the guard) and one for the whole record.
        """
        step = self.step + 1
        d_stats = [self._d_step(real, step, k) for k, real in enumerate(real_batches)]
        g_stats = self._g_step(real_batches[0].shape[0], step)
        scalars = _mean_by_key([_to_floats(s) for s in d_stats])  # lazy R1 runs in some D updates only
        scalars.update(_to_floats(g_stats))
        scalars["lr"] = self.opt_g.param_groups[0]["lr"]
        scalars["lr/d"] = self.opt_d.param_groups[0]["lr"]
        # EMA warm-up: early on, the average would mostly hold the random initial weights
        self.ema.decay = min(self.cfg.ema_decay, (1 + step) / (10 + step))
        self.ema.update(self.G)
        self.step = step
        return scalars

    def _autocast(self):
        """One autocast region per update: each weight is cast to the low precision once and
        reused by every forward pass in it (G's weights only ever meet it under ``no_grad`` in
        D's update, and D's are frozen in G's, so no cached cast loses its gradient)."""
        return autocast(self.cfg.precision, self.info.device)

    def _critic(self, x: torch.Tensor) -> torch.Tensor:
        """D's logits as float32, so the losses and penalties reduce in float32."""
        return self.D(x).float()

    def _d_step(self, real: torch.Tensor, step: int, k: int) -> dict[str, torch.Tensor]:
        cfg = self.cfg.loss
        with self._autocast():
            with torch.no_grad():
                fake = self.G(self.latents(real.shape[0])).float()
            real_a, fake_a = self.augment(real), self.augment(fake)
            real_logits, fake_logits = self._critic(real_a), self._critic(fake_a)
            loss = losses.d_loss(cfg.kind, real_logits, fake_logits)
            stats = {"loss/d": loss, "d/real": real_logits.mean(), "d/fake": fake_logits.mean()}
            if cfg.kind == "wgan-gp" and cfg.gp_lambda > 0:
                gp = losses.gradient_penalty(self._critic, real_a, fake_a, generator=self.generator)
                stats["loss/gp"] = gp
                loss = loss + cfg.gp_lambda * gp
            if cfg.lecam_weight > 0:
                lecam = losses.lecam_penalty(real_logits, fake_logits, *self.lecam_anchors)
                stats["loss/lecam"] = lecam
                loss = loss + cfg.lecam_weight * lecam
                means = torch.stack([real_logits.mean(), fake_logits.mean()]).detach()
                self.lecam_anchors.lerp_(means, 1.0 - cfg.lecam_decay)
            d_update = (step - 1) * self.cfg.optim.n_critic + k
            if cfg.r1_gamma > 0 and d_update % cfg.r1_interval == 0:  # lazy R1, scaled by its interval
                r1 = losses.r1_penalty(self._critic, real_a)
                stats["loss/r1"] = r1
                loss = loss + (cfg.r1_gamma / 2) * cfg.r1_interval * r1
        stats["loss/d_total"] = loss
        self.opt_d.zero_grad(set_to_none=True)
        (loss if self.scaler_d is None else self.scaler_d.scale(loss)).backward()
        return self._step(self.D, self.opt_d, self.scaler_d, step, stats, "grad_norm/d")

    def _g_step(self, batch_size: int, step: int) -> dict[str, torch.Tensor]:
        cfg = self.cfg.loss
        self.D.requires_grad_(False)
        try:
            with self._autocast():
                fake = self.G(self.latents(batch_size)).float()
                loss = losses.g_loss(cfg.kind, self._critic(self.augment(fake)))
                stats = {"loss/g": loss}
                if cfg.durall_weight > 0:
                    durall = losses.durall_loss(fake, self.real_profile)
                    stats["loss/durall"] = durall
                    loss = loss + cfg.durall_weight * durall
            self.opt_g.zero_grad(set_to_none=True)
            (loss if self.scaler_g is None else self.scaler_g.scale(loss)).backward()
        finally:
            self.D.requires_grad_(True)
        return self._step(self.G, self.opt_g, self.scaler_g, step, stats, "grad_norm/g")

    def _step(self, module, opt, scaler, step: int, stats: dict, name: str) -> dict[str, torch.Tensor]:
        """Average the gradients over ranks, add their norm to ``stats``, check, step ``opt``.

        A non-finite loss or gradient stops the run before the step; in fp16 a non-finite
        gradient is the scaler's business instead (it skips the step and lowers its scale).
        """
        average_gradients(module, self.info)
        if scaler is not None:
            scaler.unscale_(opt)
        stats = {key: value.detach() for key, value in stats.items()}
        stats[name] = torch.nn.utils.get_total_norm([p.grad for p in module.parameters() if p.grad is not None])
        checked = stats if scaler is None else {k: v for k, v in stats.items() if k != name}
        if not bool(torch.isfinite(torch.stack(list(checked.values()))).all()):
            check_finite_scalars(step, _to_floats(checked))
        if scaler is None:
            opt.step()
        else:
            scaler.step(opt)
            scaler.update()
        return stats

    @property
    def batches_per_step(self) -> int:
        """Real batches one :meth:`train_step` consumes: ``n_critic`` (the solver interface, :mod:`kickgan.train.solvers`)."""
        return self.cfg.optim.n_critic

    @property
    def sampling_module(self) -> torch.nn.Module:
        """The EMA of G: what previews decode and the checkpoint's ``G_ema`` holds."""
        return self.ema.model

    @property
    def critic(self) -> torch.nn.Module:
        return self.D

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt_g, self.opt_d]

    def modules(self) -> dict[str, torch.nn.Module]:
        """Every network, by its checkpoint key."""
        return {"G": self.G, "D": self.D, "G_ema": self.ema.model}

    def state_dict(self) -> dict:
        """Everything that changes during training, as tensors and plain values."""
        return {
            "step": self.step,
            "G": self.G.state_dict(),
            "D": self.D.state_dict(),
            "G_ema": self.ema.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": rng_state(self.generator),
            **({"lecam_anchors": self.lecam_anchors.clone()} if self.cfg.loss.lecam_weight > 0 else {}),
            **({} if self.scaler_d is None else {"scaler_d": self.scaler_d.state_dict(),
                                                 "scaler_g": self.scaler_g.state_dict()}),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict` (from a checkpoint of the same config)."""
        try:
            self.G.load_state_dict(state["G"])
            self.D.load_state_dict(state["D"])
            self.ema.load_state_dict(state["G_ema"])
            self.opt_g.load_state_dict(state["opt_g"])
            self.opt_d.load_state_dict(state["opt_d"])
            if "lecam_anchors" in state:
                self.lecam_anchors.copy_(state["lecam_anchors"])
            if self.scaler_d is not None:
                self.scaler_d.load_state_dict(state["scaler_d"])
                self.scaler_g.load_state_dict(state["scaler_g"])
        except (RuntimeError, ValueError, KeyError) as exc:
            reason = str(exc).strip().splitlines()[0]
            raise KickganError(f"checkpoint does not fit this config's models ({reason})") from None
        set_rng_state(state["rng"], self.generator)
        self.step = int(state["step"])


def _to_floats(stats: dict[str, torch.Tensor]) -> dict[str, float]:
    """0-d tensors -> Python floats, in one transfer."""
    return dict(zip(stats, torch.stack(list(stats.values())).float().tolist(), strict=True))


def _mean_by_key(stats: list[dict[str, float]]) -> dict[str, float]:
    """Each key's mean over the dicts that hold it, keys in order of first appearance."""
    keys = dict.fromkeys(key for s in stats for key in s)
    return {key: sum(s[key] for s in stats if key in s) / sum(key in s for s in stats) for key in keys}
