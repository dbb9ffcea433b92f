"""The differentiable estimates behind the controls recover known pitches, decays and clicks."""

import numpy as np
import pytest
import torch

from kickgan.producer.estimates import estimates
from kickgan.spectral.stft import stft

SR, N_FFT, HOP, LENGTH = 16000, 512, 128, 8192  # the default model's STFT


def kick(freq, decay, click=0.0, delay=0.01):
    """A sine at ``freq`` Hz decaying as exp(-t/decay) after ``delay`` s, plus a 3 ms noise burst."""
    t = np.arange(LENGTH) / SR
    tk = np.clip(t - delay, 0, None)
    y = np.sin(2 * np.pi * freq * tk) * np.exp(-tk / decay) * (t >= delay)
    burst = (t >= delay) & (t < delay + 0.003)
    return (y + click * burst * np.random.default_rng(0).standard_normal(LENGTH)).astype(np.float32)


def estimate(clips, requires_grad=False):
    wave = torch.from_numpy(np.stack(clips))[:, None].requires_grad_(requires_grad)
    power = stft(wave, N_FFT, HOP)[:, 0, :128].abs() ** 2  # the 0-4 kHz crop of the default model
    return estimates(power, SR, N_FFT, HOP), wave


def test_pitch_estimate_recovers_the_body_frequency():
    freqs = [40, 50, 60, 80, 120]
    hz = 2 ** estimate([kick(f, 0.2) for f in freqs])[0][:, 0].numpy()
    # measured: 42.6 / 50.3 / 60.0 / 80.0 / 120.0 (a 40 Hz sine leaks into the DC bin, left out)
    assert hz == pytest.approx(freqs, rel=0.07)
    assert (np.diff(hz) > 0).all()


def test_decay_estimate_extrapolates_the_time_to_minus_20_db():
    taus = [0.03, 0.1, 0.2, 0.45]  # 0.45: -20 dB at 1.04 s, past the 0.51 s clip
    ms = 2 ** estimate([kick(60, tau) for tau in taus])[0][:, 1].numpy()
    assert ms == pytest.approx([1000 * tau * np.log(10) for tau in taus], rel=0.05)


def test_click_estimate_rises_with_the_click_and_is_differentiable():
    e, wave = estimate([kick(60, 0.2, c) for c in (0.0, 0.1, 0.3, 1.0)], requires_grad=True)
    assert (np.diff(e[:, 2].detach().numpy()) > 5).all()  # measured: -68 / -39 / -29 / -19 dB
    e.sum().backward()
    assert torch.isfinite(wave.grad).all() and wave.grad.abs().sum() > 0


@pytest.mark.parametrize("kind", ["logmag", "warped", "wave", "complex", "mag_if"])
def test_magnitude_of_every_representation_carries_a_gradient_to_the_latent(kind):
    from kickgan.producer.estimates import magnitude
    from kickgan.spectral import make_representation
    from kickgan.spectral.config import SpecConfig

    n_freq = 128 if kind == "warped" else 256  # warped: 64 linear bins below 2 kHz, 64 bands above
    cfg = SpecConfig(kind=kind, sr=SR, length=LENGTH, n_fft=N_FFT, hop_length=HOP, n_freq=n_freq)
    rep = make_representation(cfg).fit(np.stack([kick(f, 0.1) for f in (50, 70, 90)]))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        layer = torch.nn.Linear(8, int(np.prod(rep.shape)))
    z = torch.randn(2, 8, generator=torch.Generator().manual_seed(1), requires_grad=True)
    mag = magnitude(lambda x: 0.5 * torch.tanh(layer(x)).reshape(-1, *rep.shape), rep, z)
    assert mag.shape[0] == 2 and mag.shape[-1] == LENGTH // HOP and (mag >= 0).all()
    e = estimates(mag**2, SR, N_FFT, HOP)
    (grad,) = torch.autograd.grad(e[:, [0, 2]].sum(), z)  # decay of this noise is flat: no gradient
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0
