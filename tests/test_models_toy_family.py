"""The model-family seam proved from outside: a toy family, registered here and nowhere in src/,
configures, trains through ``kickgan.train``, checkpoints, resumes exactly and samples through
``KickSampler``.

The toy model: ``x = tanh(mean + noise * (z @ W))``, a learnt mean spectrogram plus a learnt
linear map of the latent, fitted by mean squared error to the real batches with plain SGD.
"""

from dataclasses import dataclass
from math import prod

import numpy as np
import pytest
import torch
from torch import nn

from kickgan.checkpoints import load_checkpoint
from kickgan.checks import above, choice
from kickgan.cli.train import dry_run_report
from kickgan.config import LossConfig, TrainConfig, config_from_dict
from kickgan.errors import KickganError, ParameterError
from kickgan.models.family import FAMILIES, ModelFamily, register_family
from kickgan.sampler import KickSampler
from kickgan.train import train
from kickgan.train.rng import rng_state, set_rng_state
from kickgan.train.solvers import SOLVERS


@dataclass(frozen=True)
class ToyModel:
    arch: str = "toymean"
    z_dim: int = 4
    latent: str = "normal"
    noise: float = 0.1

    def __post_init__(self):
        choice("arch", self.arch, ("toymean",))
        choice("latent", self.latent, ("normal", "uniform"))
        above("noise", self.noise, 0.0)


@dataclass(frozen=True)
class ToyLoss:
    weight: float = 1.0

    def __post_init__(self):
        above("weight", self.weight, 0.0)


@dataclass(frozen=True)
class ToyOptim:
    lr: float = 0.5


class ToyGenerator(nn.Module):
    def __init__(self, cfg: ToyModel, shape):
        super().__init__()
        self.shape, self.noise = tuple(shape), cfg.noise
        self.mean = nn.Parameter(torch.zeros(shape))
        self.proj = nn.Linear(cfg.z_dim, prod(shape), bias=False)

    def forward(self, z):
        return torch.tanh(self.mean + self.noise * self.proj(z).view(len(z), *self.shape))


class ToySolver:
    """The solver interface of kickgan.train.solvers, for ToyGenerator."""

    batches_per_step = 1
    critic = None

    def __init__(self, cfg, shape, info, reals):
        torch.manual_seed(cfg.seed)
        self.cfg, self.device, self.step = cfg, info.device, 0
        self.F = ToyGenerator(cfg.model, shape).to(info.device)
        self.opt = torch.optim.SGD(self.F.parameters(), lr=cfg.optim.lr)
        self.generator = torch.Generator().manual_seed(cfg.seed)

    @property
    def sampling_module(self):
        return self.F

    def train_step(self, batches):
        real = batches[0]
        z = torch.randn(len(real), self.cfg.model.z_dim, generator=self.generator).to(self.device)
        loss = self.cfg.loss.weight * ((self.F(z) - real) ** 2).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.step += 1
        return {"loss/mse": float(loss.detach())}

    def modules(self):
        return {"F": self.F}

    def state_dict(self):
        return {"step": self.step, "F": {"model": self.F.state_dict()}, "opt": self.opt.state_dict(),
                "rng": rng_state(self.generator)}

    def load_state_dict(self, state):
        self.F.load_state_dict(state["F"]["model"])
        self.opt.load_state_dict(state["opt"])
        set_rng_state(state["rng"], self.generator)
        self.step = int(state["step"])


def _check(cfg):
    if cfg.batch_size < 2:
        raise ParameterError("batch_size: the toy family fits the mean of at least 2 examples")


TOY = ModelFamily(
    name="toy", archs=("toymean",), sections={"model": ToyModel, "loss": ToyLoss, "optim": ToyOptim}, check=_check,
    build_generator=ToyGenerator, build_networks=lambda cfg, shape: {"F": (ToyGenerator(cfg, shape), (cfg.z_dim,))},
    sampling_key="F", checkpoint_keys=("F", "opt"),
)
RAW = {
    "name": "toy", "data": "synth:8", "device": "cpu", "batch_size": 4, "steps": 4, "ckpt_every": 2,
    "preview_every": 2, "preview_n": 2, "best_metric": "none",
    "representation": {"kind": "logmag", "sr": 8000, "length": 2048, "n_fft": 128, "hop_length": 32, "n_freq": 32},
    "model": {"arch": "toymean", "z_dim": 3},
    "loss": {"weight": 2.0},
}


@pytest.fixture
def toy():
    register_family(TOY)
    SOLVERS["toy"] = ToySolver
    yield TOY
    del FAMILIES["toy"], SOLVERS["toy"]


def test_the_family_types_and_checks_its_sections(toy):
    cfg = config_from_dict(RAW, ["optim.lr=0.25", "model.noise=0.5"])
    assert (cfg.model, cfg.loss, cfg.optim) == (ToyModel(z_dim=3, noise=0.5), ToyLoss(weight=2.0), ToyOptim(lr=0.25))
    assert config_from_dict(cfg.to_dict()) == cfg  # round trip, as a checkpoint stores it
    with pytest.raises(KickganError, match="^toy.yaml: loss.kind: unknown option \\(choose from weight\\)$"):
        config_from_dict({**RAW, "loss": {"kind": "hinge"}}, source="toy.yaml")
    with pytest.raises(KickganError, match="^config: loss.weight: must be greater than 0 \\(got -1.0\\)$"):
        config_from_dict(RAW, ["loss.weight=-1"])
    with pytest.raises(KickganError, match="^config: batch_size: the toy family fits the mean of at least 2"):
        config_from_dict(RAW, ["batch_size=1"])
    with pytest.raises(KickganError, match="model.arch: must be one of dcgan, specgan, wavegan, flow, toymean \\(got 'vae'\\)"):
        config_from_dict(RAW, ["model.arch=vae"])


def test_dry_run_shows_the_familys_networks(toy):
    report = dry_run_report(config_from_dict(RAW))
    assert '"arch": "toymean"' in report and "F: input [3]" in report
    assert report.endswith(f"parameters: F {1 * 32 * 64 * (1 + 3):,}")  # mean [1, 32, 64] + proj [3 -> 2048]


def test_a_gan_section_does_not_fit_the_toy_family(toy):
    with pytest.raises(ParameterError, match="loss: the toy family's section is ToyLoss \\(got LossConfig\\)"):
        TrainConfig(name="x", model=ToyModel(), loss=LossConfig(), optim=ToyOptim())


def test_the_toy_family_trains_resumes_and_samples(toy, tmp_path):
    straight = train(config_from_dict(RAW), out=tmp_path / "straight", progress=False)
    half = train(config_from_dict(RAW, ["steps=2"]), out=tmp_path / "half", progress=False)
    train(config_from_dict(RAW), resume=half, progress=False)
    a, b = (load_checkpoint(run / "checkpoints" / "latest.pt") for run in (straight, half))
    assert a["step"] == b["step"] == 4 and set(a) >= {"F", "opt", "rng", "representation", "config"}
    for name, tensor in a["F"]["model"].items():
        assert torch.equal(tensor, b["F"]["model"][name]), name
    assert not torch.equal(a["F"]["model"]["mean"], torch.zeros_like(a["F"]["model"]["mean"]))  # it learnt

    sampler = KickSampler.from_checkpoint(straight / "checkpoints" / "latest.pt")
    assert isinstance(sampler.G, ToyGenerator) and sampler.z_dim == 3
    kicks = sampler.generate([0, 1])
    assert kicks.shape == (2, 2048) and np.isfinite(kicks).all() and np.abs(kicks).max() > 0
    # a seed is an identity: the same kick alone or in a batch, up to the last bit of float32 (a batched
    # matmul may round differently from a single row on some CPUs; another seed differs by ~0.1)
    np.testing.assert_allclose(sampler.generate([1]), kicks[1:], rtol=0, atol=1e-6)
    stats = (straight / "stats.jsonl").read_text(encoding="utf-8")
    assert '"loss/mse"' in stats and "val/d_gap" not in stats  # no critic, no d_* measures
