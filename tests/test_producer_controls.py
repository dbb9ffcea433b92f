"""Steering controls on a GAN trained on the synthesised set: each moves its own descriptor
monotonically, the other two less.

The model is ``tests/data/dcgan_wgangp_synth.pt``: the default config (``dcgan_wgangp``)
trained on ``synth:2048`` on 2 CPU cores, exported with ``kickgan export`` (generator only);
``scripts/make-test-model.sh`` makes it again. Every control is judged as the issue asks: 9 steps
from -2 to +2, Spearman rho of the amount with the control's own descriptor (as the evaluation
suite measures it, on the reconstructed audio) averaged over 8 seeds, and the change of the other
descriptors over the sweep, in their (robust) standard deviations over the model's kicks.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
import torch

from kickgan.producer import controls
from kickgan.sampler import KickSampler

MODEL = Path(__file__).parent / "data" / "dcgan_wgangp_synth.pt"
AMOUNTS = np.linspace(-2.0, 2.0, 9)
SEEDS = range(8)


@pytest.fixture(scope="module")
def steered(tmp_path_factory):
    """The sampler, its controls, the descriptors' stds, and per control the descriptors
    ``[seed, amount, K]`` of ``SEEDS`` steered over ``AMOUNTS``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the producer commands run
    path = tmp_path_factory.mktemp("model") / "model.pt"  # the controls are written beside it
    shutil.copy(MODEL, path)
    sampler = KickSampler.from_checkpoint(path)
    record = controls.load_or_fit(sampler)
    fit_z = sampler.latents(list(range(controls.FIT_SEED, controls.FIT_SEED + 256)))
    y = controls.measure(sampler, fit_z)
    stds = np.array([controls.robust_std(y[np.isfinite(y[:, k]), k]) for k in range(y.shape[1])])
    out = {}
    for name in controls.CONTROLS:
        clips = np.concatenate([controls.render(sampler, sampler.latents([seed]), {name: a}, record) for seed in SEEDS for a in AMOUNTS])
        out[name] = controls.measure_clips(clips, sampler.sr).reshape(len(SEEDS), len(AMOUNTS), -1)
    yield sampler, record, stds, out
    torch.set_num_threads(threads)


def test_fit_is_stored_and_each_estimate_tracks_its_descriptor(steered):
    sampler, record, _, _ = steered
    assert controls.is_fitted(sampler) and record["n"] == controls.N_FIT
    for name, c in record["controls"].items():
        assert c["rho"] > 0.8, name  # Spearman of estimate and descriptor over the 512 fitted kicks
        assert c["per_step"] > 0, name


@pytest.mark.parametrize("k, name", list(enumerate(controls.CONTROLS)))
def test_each_control_moves_its_descriptor_monotonically_and_the_others_less(steered, k, name):
    _, _, stds, out = steered
    desc = out[name]  # [seed, amount, K]
    rho = np.mean([scipy.stats.spearmanr(AMOUNTS, d[:, k]).statistic for d in desc])  # ranks: a decay of inf is longest
    assert rho >= 0.9, rho
    ends = np.where(np.isfinite(desc), desc, np.nan)
    span = np.nanmean(np.abs(ends[:, -1] - ends[:, 0]), axis=0) / stds  # change over the sweep, in descriptor stds
    assert all(span[j] < 0.5 * span[k] for j in range(len(stds)) if j != k), span
