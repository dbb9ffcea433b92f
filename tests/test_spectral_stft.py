"""The one STFT: its centred variants equal torch.stft and librosa.stft, which the measurements used to call."""

import librosa
import numpy as np
import pytest
import torch

from kickgan.spectral.stft import stft


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
@pytest.mark.parametrize("symmetric", [False, True])
def test_centred_stft_equals_torch_stft(pad_mode, symmetric):
    y = torch.randn(3, 4096, generator=torch.Generator().manual_seed(0))
    window = torch.hann_window(512, periodic=not symmetric)
    expected = torch.stft(y, 512, 128, window=window, center=True, pad_mode=pad_mode, return_complex=True)
    got = stft(y, 512, 128, center=True, pad_mode=pad_mode, symmetric=symmetric, amplitude=False)
    assert got.shape == expected.shape == (3, 257, 33)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_centred_stft_equals_librosa_and_amplitude_scales_by_a_quarter_window():
    y = np.random.default_rng(1).standard_normal(2048).astype(np.float32)
    expected = librosa.stft(y, n_fft=256, hop_length=64)  # centred, zero padding, periodic Hann
    got = stft(torch.from_numpy(y), 256, 64, center=True, amplitude=False).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    scaled = stft(torch.from_numpy(y), 256, 64, center=True).numpy()
    np.testing.assert_allclose(scaled * 64, got, rtol=1e-6)
