"""The fixed-seed preview bank: the same latents at every snapshot, as WAVs and one spectrogram grid.

Preview ``i`` uses seed ``i`` (:func:`kickgan.models.sample_latents`), so
``previews/step_0001000/seed0003.wav`` and ``previews/step_0002000/seed0003.wav``
are the same point of latent space, heard at two moments of training.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from kickgan.io import atomic_path, write_wav
from kickgan.audio.preprocess import finish_edges
from kickgan.sampler import decode_each
from kickgan.spectral.stft import stft

DB_FLOOR = -80.0


@torch.no_grad()
def render_previews(G: torch.nn.Module, rep: torch.nn.Module, z: torch.Tensor) -> np.ndarray:
    """Decode latents ``z [B, z_dim]`` with ``G`` (in eval mode) and ``rep``: ``waves [B, T]`` float32,
    each with a file's start and end (:func:`~kickgan.audio.preprocess.finish_edges`), as
    ``kickgan generate`` and the evaluation of a checkpoint get them."""
    was_training = G.training
    G.eval()
    try:
        wave = decode_each(rep, G(z))
    finally:
        G.train(was_training)
    return np.stack([finish_edges(y, rep.cfg.sr) for y in wave.squeeze(1).float().cpu().numpy()])


def log_spectrogram(waves: np.ndarray, n_fft: int = 1024, hop_length: int = 256) -> np.ndarray:
    """Power spectrograms in dB, ``[B, n_fft // 2 + 1, frames]``, floored at -80 dB below 1.0."""
    y = torch.from_numpy(np.ascontiguousarray(waves, dtype=np.float32))
    n_fft = min(n_fft, 1 << int(math.log2(y.shape[-1])))
    power = stft(y, n_fft, min(hop_length, n_fft // 4), center=True, pad_mode="reflect").abs().pow(2)
    return (10 * torch.log10(power.clamp_min(10 ** (DB_FLOOR / 10)))).numpy()


def spectral_distance(waves: np.ndarray, reference: np.ndarray) -> float:
    """Mean absolute difference (dB) between the average log-power spectra of two sets of clips.

    A cheap, representation-free quality proxy for choosing the ``best`` checkpoint:
    0 when the previews have the reference set's average spectral balance.
    """
    return float(np.abs(_mean_spectrum(waves) - _mean_spectrum(reference)).mean())


def _mean_spectrum(waves: np.ndarray) -> np.ndarray:
    return log_spectrogram(waves).mean(axis=(0, 2))


def spectrogram_grid(waves: np.ndarray, rows: int = 128, gap: int = 2) -> np.ndarray:
    """One RGB image ``[H, W, 3]`` uint8: the previews' spectrograms tiled row by row, low frequencies down.

    Each tile has 128 frames and ``rows`` frequency rows on a quadratic axis (row ``i`` of
    ``rows`` shows ``(i / rows)^2`` of the Nyquist rate), so a kick's low end is not squeezed
    into the bottom few pixels. Tile ``i`` (row ``i // cols``, column ``i % cols``,
    ``cols = ceil(sqrt(B))``) is preview seed ``i``; colours span -80 .. 0 dB (magma).
    """
    from matplotlib import colormaps

    length = waves.shape[-1]
    specs = log_spectrogram(waves, n_fft=512, hop_length=max(4, length // 128))
    bins = np.round((np.arange(rows) / (rows - 1)) ** 2 * (specs.shape[1] - 1)).astype(int)
    specs = specs[:, bins[::-1]]  # high frequencies at the top of each tile
    n, height, width = specs.shape
    cols = math.ceil(math.sqrt(n))
    mosaic = np.full((math.ceil(n / cols) * (height + gap) - gap, cols * (width + gap) - gap), DB_FLOOR)
    for i, spec in enumerate(specs):
        r, c = divmod(i, cols)
        mosaic[r * (height + gap) : r * (height + gap) + height, c * (width + gap) : c * (width + gap) + width] = spec
    rgba = colormaps["magma"]((mosaic - DB_FLOOR) / -DB_FLOOR)
    return (rgba[..., :3] * 255).astype(np.uint8)


def write_preview_bank(folder: Path, step: int, waves: np.ndarray, sr: int, seeds: list[int]) -> np.ndarray:
    """Write ``folder/step_NNNNNNN/seedSSSS.wav`` and the grid ``folder/step_NNNNNNN.png``; return the grid."""
    from matplotlib.image import imsave

    snapshot = Path(folder) / f"step_{step:07d}"
    for y, seed in zip(waves, seeds):
        write_wav(snapshot / f"seed{seed:04d}.wav", np.clip(y, -1.0, 1.0), sr)
    grid = spectrogram_grid(waves)
    with atomic_path(Path(folder) / f"step_{step:07d}.png") as tmp:
        imsave(tmp, grid)
    return grid
