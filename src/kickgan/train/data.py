"""Training data: clips from a dataset folder or synthesised in memory, and the batch order.

``--data DIR`` reads ``DIR``'s train and val splits; clips stored at another rate or
length than the representation's are resampled and cut on load (``load_clips``).
``--data synth:N`` synthesises N kicks with seed 0 for training and N/8 (at least 8)
with seed 1 for validation, so tests and demos need no files.
"""

from __future__ import annotations

import numpy as np
import torch

from kickgan.audio.preprocess import prepare_clip
from kickgan.data.dataset import load_clips
from kickgan.data.synth import synthesize
from kickgan.errors import KickganError


def load_training_clips(spec: str, sr: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """``(train [N,T], val [M,T])`` float32 at ``sr``, ``length``; ``val`` may have no rows."""
    if spec.startswith("synth:"):
        try:
            n = int(spec[len("synth:"):])
        except ValueError:
            n = 0
        if n < 2:
            raise KickganError(f"--data {spec}: expected synth:N with N >= 2 kicks, e.g. synth:256")
        train, _ = synthesize(n, seed=0, sr=sr, length=length)
        val, _ = synthesize(max(n // 8, 8), seed=1, sr=sr, length=length)
        return train, val
    train, _ = load_clips(f"{spec}:train", sr, length)
    try:
        val, _ = load_clips(f"{spec}:val", sr, length)
    except KickganError:  # an empty val split: train without a validation metric
        val = np.zeros((0, length), dtype=np.float32)
    if len(train) < 2:
        raise KickganError(f"--data {spec}: the train split needs at least 2 clips")
    return train, val


def with_pitch_shifts(clips: np.ndarray, sr: int, semitones: tuple[float, ...]) -> np.ndarray:
    """``clips [N, T]`` followed by, for each shift ``s``, every clip played ``2 ** (s / 12)`` times as
    fast: the kick tuned up ``s`` semitones (down if negative), its decay shortened (lengthened) by the
    same factor, as resampling a drum sample does. Each is onset-aligned, cut or padded to ``T`` and
    peak-normalised like a dataset clip. Returns ``[N * (1 + len(semitones)), T]`` float32 (``clips``
    itself when there are no shifts)."""
    if not semitones:
        return clips
    length = clips.shape[1]
    out = [clips]
    for shift in semitones:
        played_at = round(sr * 2.0 ** (shift / 12.0))  # read the samples as if recorded at this rate
        out.append(np.stack([prepare_clip(y, played_at, sr, length, normalize="peak") for y in clips]))
    return np.concatenate(out).astype(np.float32)


def batch_indices(n: int, batch_size: int, index: int, seed: int, rank: int = 0, world: int = 1) -> torch.Tensor:
    """Row indices of batch number ``index`` for one rank: a pure function of its arguments.

    Like ``DistributedSampler``: epoch ``e`` is a permutation of ``range(n)`` seeded by
    ``(seed, e)``, padded by wrapping to a multiple of ``world`` and dealt to ranks
    (``perm[rank::world]``); each rank reads its epochs back to back, ``batch_size`` at a
    time. Because nothing is stateful, resuming at any step replays the same batches.
    """
    per_epoch = -(-n // world)  # rows each rank reads per epoch
    start = index * batch_size
    out = []
    while len(out) < batch_size:
        epoch, offset = divmod(start + len(out), per_epoch)
        shard = _epoch_shard(n, seed, epoch, rank, world)
        out.extend(shard[offset : offset + batch_size - len(out)].tolist())
    return torch.tensor(out, dtype=torch.long)


def _epoch_shard(n: int, seed: int, epoch: int, rank: int, world: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    perm = torch.randperm(n, generator=generator)
    total = -(-n // world) * world
    perm = torch.cat([perm, perm[: total - n]]) if total > n else perm
    return perm[rank::world]
