"""Training: the loop, the GAN update, DDP, guards, previews, validation.

    cfg = load_config("configs/dcgan_wgangp.yaml", ["steps=2000"])   # kickgan.config
    run_dir = train(cfg, data="data/open_kicks")                      # runs/NNNNN-dcgan_wgangp
    state = load_checkpoint(run_dir / "checkpoints" / "latest.pt")    # kickgan.checkpoints

Training imports the neutral modules (:mod:`kickgan.config`, :mod:`kickgan.checkpoints`,
:mod:`kickgan.sampler`); nothing outside training imports this package but the CLI and the
experiment runner.
"""

from kickgan.train.loop import train

__all__ = ["train"]
