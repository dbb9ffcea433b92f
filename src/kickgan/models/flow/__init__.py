"""The flow family: a flow-matching model (Lipman et al. 2023; Liu et al. 2023) on the GANs' spectrograms.

    cfg = FlowModel(z_dim=8192)                        # z is spectrogram-shaped: C * F * N values
    G = FlowGenerator(cfg, rep.shape)                  # z [B, z_dim] -> x [B, C, F, N], sample_steps ODE steps
    x = G(sample_latents(cfg, [0, 1, 2]))              # seeds are identities, as for the GANs

Training (conditional flow matching, EMA, Adam) is :mod:`kickgan.train.flow_solver`; the family is
registered in :mod:`kickgan.models.family`.
"""

from kickgan.models.flow.config import FLOW_ARCHS, FlowLoss, FlowModel, FlowOptim, check_flow
from kickgan.models.flow.ode import FlowGenerator, FlowODE, integrate
from kickgan.models.flow.unet import VelocityUNet, time_embedding

__all__ = [
    "FLOW_ARCHS",
    "FlowGenerator",
    "FlowLoss",
    "FlowModel",
    "FlowODE",
    "FlowOptim",
    "VelocityUNet",
    "check_flow",
    "integrate",
    "time_embedding",
]
