"""Steering controls: each moves its own descriptor monotonically, the others less.

Why not a GAN here: the issue asks for this on a model trained on the synthesised set, and
within a test's time budget no GAN of ours learns the descriptors' structure. Measured on this
machine (2 shared cores): the ``tiny`` config trained 400 steps on synth:512 (36 s) fits the
descriptors with R^2 = 0.07 / 0.13 / 0.12 (pitch / decay / click), and 600 steps of a wider BCE
variant (67 s) with R^2 = 0.17 / 0.34 / 0.15; the Spearman rho of each control with its own
descriptor stays between -0.2 and 0.65, i.e. such a generator has nothing to steer. (At 8 kHz
with n_fft 128 the tiny spectrogram cannot even resolve body pitch: its bins are 62.5 Hz apart.)

The fastest honest alternative is a generator that *has* learned the set exactly: the
synthesiser itself, driven by the latent through a fixed mixing the controls do not know
(:class:`SynthGenerator`). The controls then have to discover the directions from the
evaluation suite's descriptors alone, through the same regression, orthogonalisation and
steering code a checkpoint uses; the latent mixes pitch, decay and click (a shared factor),
so unorthogonalised directions would drag the other descriptors along.
"""

import hashlib

import numpy as np
import pytest
import scipy.stats
import torch

from kickgan.data.synth import render
from kickgan.producer import controls

AMOUNTS = np.linspace(-2.0, 2.0, 9)


class SynthGenerator:
    """A sampler (the attributes the producer uses) whose kicks are the synthesiser's, at 8 kHz.

    Latent ``z ~ N(0, 1)^8``; pitch, decay and click each depend on their own coordinate
    and on a shared one (``z[3]``); ``z[4:]`` change nothing.
    """

    sr, length, z_dim = 8000, 8192, 8

    def __init__(self, folder):
        self.path = folder / "synth.pt"
        self.checkpoint_hash = hashlib.sha256(b"synth-generator/1").hexdigest()

    def latents(self, seeds):
        return torch.stack([torch.randn(self.z_dim, generator=torch.Generator().manual_seed(s)) for s in seeds])

    def params(self, z: np.ndarray) -> dict:
        f_end = 55.0 * 2 ** (0.3 * z[0] + 0.15 * z[3])
        return {
            "f_end": f_end, "f_start": 2.5 * f_end, "sweep_rate": 30.0, "attack": 0.001,
            "decay": 0.1 * 2 ** (0.4 * z[1] + 0.2 * z[3]),
            "click_level": 0.6 / (1 + np.exp(-(z[2] - 0.5 * z[3]))), "click_decay": 0.003, "click_cutoff": 3500.0,
            "mode2_level": 0.0, "mode2_ratio": 2.0, "mode2_decay": 0.05, "drive": 0.0, "noise_seed": 7,
        }

    def decode(self, z):
        clips = [render(self.params(row), self.sr, self.length) for row in z.double().numpy()]
        return torch.from_numpy(np.stack(clips))[:, None]


@pytest.fixture(scope="module")
def steered(tmp_path_factory):
    """Per control, the descriptors ``[seed, amount, K]`` of 4 seeds steered over ``AMOUNTS``."""
    gen = SynthGenerator(tmp_path_factory.mktemp("synth"))
    record = controls.load_or_fit(gen, n=256)
    out = {}
    for name in controls.CONTROLS:
        z = torch.cat([controls.steer(gen, gen.latents([seed]), {name: a}, record) for seed in range(4) for a in AMOUNTS])
        out[name] = controls.measure(gen, z).reshape(4, len(AMOUNTS), -1)
    return gen, record, out


def test_fit_finds_the_descriptors_in_the_latent_and_stores_them(steered):
    gen, record, _ = steered
    assert controls.controls_path(gen).is_file() and controls.is_fitted(gen)
    for name, c in record["controls"].items():
        assert c["r2"] > 0.8, name  # measured: 1.00 / 1.00 / 0.92 (pitch / decay / click)
        assert c["per_step"] > 0, name


@pytest.mark.parametrize("k, name", list(enumerate(controls.CONTROLS)))
def test_each_control_moves_its_descriptor_monotonically_and_the_others_less(steered, k, name):
    _, record, out = steered
    desc = out[name]  # [seed, amount, K]
    rho = np.mean([scipy.stats.spearmanr(AMOUNTS, d[:, k]).statistic for d in desc])
    assert rho >= 0.9, rho
    stds = np.array([record["controls"][n]["std"] for n in controls.CONTROLS])
    span = np.abs(desc[:, -1] - desc[:, 0]).mean(axis=0) / stds  # change over the sweep, in descriptor stds
    # measured: own 3.7-3.9 stds, others <= 0.29; without orthogonalising, others move 0.74-1.94
    assert all(span[j] < 0.25 * span[k] for j in range(len(stds)) if j != k), span
