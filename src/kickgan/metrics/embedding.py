"""The ``aisfx-512`` embedding: a CNN trained on professional sound-effects libraries.

Model and weights come from the PyPI package ``aisfx`` (Ma & Lerch, "Representation
learning for the automatic indexing of sound effects libraries", ISMIR 2022; weights
CC BY 4.0), installed with ``pip install --no-deps aisfx``. We use its model
definition (``aisfx.models.cnn2d.EmbeddingNet``) and its checkpoint, and
reimplement its preprocessing here (its own code needs Essentia or old librosa):

- resample to 44.1 kHz (soxr), peak-normalise each clip (as aisfx's librosa path does);
- STFT, frames of 2048 samples (symmetric Hann, as Essentia's ``Windowing``), hop 1024,
  centred with zero padding (Essentia's ``FrameCutter`` default);
- power spectrum -> 96 HTK-mel bands from 0 to 22050 Hz, each band's weights summing
  to one (Essentia ``MelBands(normalize="unit_sum")``; librosa builds the triangles
  on the Hz axis where Essentia warps them, a small difference);
- ``log10(1e4 * mel + 1)``, divided by 9.4578, the maximum over the paper's training
  data (aisfx ``spectrogram_normalize(spec_norm="original")``).

aisfx cuts long spectrograms into blocks of 100 frames (2.3 s) and zero-pads the
last. A kick of about one second is shorter than one block, so we feed the clip's
own frames (at least ``MIN_FRAMES``) without the silent padding: the network pools
globally over time (mean over frequency, max over time), so the padding only adds
frames of silence, and skipping it makes the embedding 3x faster. Clips longer than
a block are cut into blocks of 100 frames, hop 50, and their embeddings averaged:
one 512-d vector per clip.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

import numpy as np
import soxr
import torch

from kickgan.errors import KickganError
from kickgan.spectral.stft import stft

NAME = "aisfx-512"
SR = 44100
N_FFT = 2048
HOP_LENGTH = 1024
N_MELS = 96
LOG_MAX = 9.457798957824707  # aisfx spectrogram_normalize(spec_norm="original")
BLOCK_FRAMES = 100
MIN_FRAMES = 8  # three 2x2 poolings need at least 8 frames


def weights_path() -> Path:
    """Where the aisfx wheel keeps its checkpoint."""
    try:
        import aisfx
    except ImportError:
        raise KickganError("the aisfx embedding needs the package aisfx: pip install --no-deps aisfx") from None
    return Path(aisfx.__file__).parent / "models" / "checkpoint.pth"


def _safe_numpy_globals() -> list:
    """The numpy globals the aisfx checkpoint pickles, and nothing else.

    The file was written under numpy 1, which pickled scalars as
    ``numpy.core.multiarray.scalar``; numpy 2 moved it to ``numpy._core``, so the
    allow-list names it by its pickled name.
    """
    from numpy._core.multiarray import scalar

    return [(scalar, "numpy.core.multiarray.scalar"), np.dtype, np.dtypes.Int64DType]


@functools.lru_cache(maxsize=1)
def load_model() -> torch.nn.Module:
    """The aisfx ``EmbeddingNet`` in eval mode, weights loaded with ``weights_only=True``."""
    from aisfx.models.cnn2d import EmbeddingNet

    path = weights_path()
    with torch.serialization.safe_globals(_safe_numpy_globals()):
        weights, _datasets = torch.load(path, map_location="cpu", weights_only=True)
    prefix = "embedding_net."
    state = {k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)}
    model = EmbeddingNet("max", 3, 1, 64)
    model.load_state_dict(state)
    return model.eval()


@functools.lru_cache(maxsize=1)
def _mel_basis() -> torch.Tensor:
    import librosa

    fb = librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=0.0, fmax=SR / 2, htk=True, norm=1.0)
    return torch.from_numpy(fb.astype(np.float32))


def to_44k(clips: np.ndarray, sr: int) -> np.ndarray:
    """Resample ``clips [N,T]`` from ``sr`` to 44.1 kHz with soxr -> ``[N,T']`` float32."""
    clips = np.asarray(clips, dtype=np.float32)
    if sr == SR:
        return clips
    return np.ascontiguousarray(soxr.resample(clips.T, sr, SR).T, dtype=np.float32)


def logmel(clips: np.ndarray, sr: int) -> np.ndarray:
    """The aisfx input: normalised log-mel spectrogram of each clip.

    Args:
        clips: ``[N,T]`` audio at ``sr``.
    Returns:
        ``[N, frames, 96]`` float32, about in [0, 1], 0 for silence.
    """
    y = torch.from_numpy(to_44k(clips, sr))
    peak = y.abs().amax(dim=1, keepdim=True)
    y = y / torch.where(peak > 0, peak, torch.ones_like(peak))
    X = stft(y, N_FFT, HOP_LENGTH, center=True, symmetric=True, amplitude=False)
    power = (X.abs() ** 2).transpose(1, 2).contiguous()  # [N,frames,1025]
    mel = (power.reshape(-1, power.shape[2]) @ _mel_basis().T).reshape(power.shape[0], power.shape[1], N_MELS)
    return (torch.log10(1e4 * mel + 1.0) / LOG_MAX).numpy()


def _blocks(spec: torch.Tensor) -> tuple[torch.Tensor, int]:
    """``spec [N,frames,96]`` -> blocks ``[N*k, frames',96]`` and k blocks per clip."""
    n, frames, _ = spec.shape
    if frames < MIN_FRAMES:
        spec = torch.nn.functional.pad(spec, (0, 0, 0, MIN_FRAMES - frames))
    if frames <= BLOCK_FRAMES:
        return spec, 1
    hop = BLOCK_FRAMES // 2
    k = 1 + int(np.ceil((frames - BLOCK_FRAMES) / hop))
    spec = torch.nn.functional.pad(spec, (0, 0, 0, (k - 1) * hop + BLOCK_FRAMES - frames))
    blocks = spec.unfold(1, BLOCK_FRAMES, hop)[:, :k]  # [N,k,96,100]
    return blocks.permute(0, 1, 3, 2).reshape(n * k, BLOCK_FRAMES, N_MELS), k


def embed_logmel(spec: np.ndarray, batch_size: int = 64, progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Embed log-mel spectrograms ``[N,frames,96]`` -> ``[N,512]`` float32.

    ``progress(k)`` is called after each batch with the number of clips done in it.
    """
    model = load_model()
    out = []
    with torch.inference_mode():
        for start in range(0, len(spec), batch_size):
            chunk = torch.from_numpy(np.ascontiguousarray(spec[start : start + batch_size]))
            blocks, k = _blocks(chunk)
            emb = model(blocks).reshape(len(chunk), k, -1).mean(dim=1)
            out.append(emb.numpy())
            if progress is not None:
                progress(len(chunk))
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 512), np.float32)


def embed(clips: np.ndarray, sr: int, batch_size: int = 64) -> np.ndarray:
    """The ``aisfx-512`` embedding of each clip: ``clips [N,T]`` at ``sr`` -> ``[N,512]``."""
    return embed_logmel(logmel(clips, sr), batch_size=batch_size)
