"""Multi-process training through ``torchrun``: the same command, K processes, only rank 0 writes.

``torchrun --nproc_per_node=K -m kickgan train ...`` sets ``RANK``, ``WORLD_SIZE`` and
``LOCAL_RANK``; each process then trains on its own shard of every batch
(:func:`kickgan.train.data.batch_indices`) and averages gradients with an all-reduce
after each backward pass. Gradients are reduced by hand rather than through
``DistributedDataParallel`` because the gradient penalties differentiate D twice
(``autograd.grad`` with ``create_graph``), which DDP's reducer does not support.
The backend is ``nccl`` on CUDA and ``gloo`` on CPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from kickgan.errors import KickganError


@dataclass(frozen=True)
class Dist:
    """This process's place in the job: ``rank`` of ``world`` processes, on ``device``."""

    rank: int
    world: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def pick_device(name: str, local_rank: int = 0) -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; a named device that is absent is a ``KickganError``."""
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            name = "mps"
        else:
            name = "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise KickganError("device: cuda requested but torch sees no CUDA device")
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    if name == "mps" and not torch.backends.mps.is_available():
        raise KickganError("device: mps requested but it is not available")
    return torch.device(name)


def init_distributed(device_name: str) -> Dist:
    """Join the ``torchrun`` process group if there is one; else a world of one."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = pick_device(device_name, int(os.environ.get("LOCAL_RANK", "0")))
    if world > 1 and not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Dist(rank, world, device)


def wait_for_every_rank(info: Dist) -> None:
    """A barrier (world of one: nothing). Called before leaving the group after a run ends normally:
    under load, a rank that tore gloo down while rank 0 was still writing its last checkpoint once
    aborted ("terminate called without an active exception", CI, 2026-12-05)."""
    if info.world > 1 and dist.is_initialized():
        dist.barrier()


def close_distributed(info: Dist) -> None:
    """Leave the process group (if this process joined one)."""
    if info.world > 1 and dist.is_initialized():
        dist.destroy_process_group()


def average_gradients(module: torch.nn.Module, info: Dist) -> None:
    """Replace every gradient of ``module`` by its mean over all processes (one flat all-reduce)."""
    if info.world == 1:
        return
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= info.world
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def broadcast_module(module: torch.nn.Module, info: Dist) -> None:
    """Copy rank 0's parameters and buffers to every process."""
    if info.world == 1:
        return
    for tensor in list(module.parameters()) + list(module.buffers()):
        dist.broadcast(tensor.data, src=0)


def any_rank(flag: bool, info: Dist) -> bool:
    """True on every process if ``flag`` is true on any (so all stop at the same step)."""
    if info.world == 1:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=info.device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())
