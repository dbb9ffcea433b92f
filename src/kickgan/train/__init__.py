"""Training: config dataclasses, the loop, checkpoints, guards, previews, DDP.

    cfg = load_config("configs/dcgan_wgangp.yaml", ["steps=2000"])
    run_dir = train(cfg, data="data/open_kicks")          # runs/NNNNN-dcgan_wgangp
    state = load_checkpoint(run_dir / "checkpoints" / "latest.pt")
"""

from kickgan.train.checkpoint import load_checkpoint, resolve_checkpoint, save_checkpoint
from kickgan.train.config import LossConfig, OptimConfig, TrainConfig, config_from_dict, load_config, with_overrides
from kickgan.train.loop import train

__all__ = [
    "LossConfig",
    "OptimConfig",
    "TrainConfig",
    "config_from_dict",
    "load_checkpoint",
    "load_config",
    "resolve_checkpoint",
    "save_checkpoint",
    "train",
    "with_overrides",
]
