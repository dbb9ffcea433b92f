"""Where a run reports: ``stats.jsonl`` (one record per step), ``log.txt``, and TensorBoard when installed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from kickgan.io import append_jsonl, read_jsonl, write_text


class RunLog:
    """Scalars, messages, figures and audio of one run; a no-op on ranks other than 0.

    Every record of ``stats.jsonl`` is ``{"step": s, "time": seconds since the run began, <name>: value}``.
    """

    def __init__(self, run_dir: Path | None, *, tensorboard: bool = True):
        self.run_dir = run_dir
        self.tb = None
        if run_dir is not None and tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:  # tensorboard is optional
                SummaryWriter = None
            if SummaryWriter is not None:
                self.tb = SummaryWriter(str(run_dir / "tensorboard"))

    def truncate(self, step: int) -> None:
        """Drop records after ``step`` (a resumed run replays them), keeping the file atomic."""
        path = self.run_dir / "stats.jsonl" if self.run_dir else None
        if path is None or not path.exists():
            return
        kept = [r for r in read_jsonl(path) if r.get("step", 0) <= step]
        write_text(path, "".join(json.dumps(r) + "\n" for r in kept))

    def scalars(self, step: int, elapsed: float, values: dict[str, float]) -> None:
        if self.run_dir is None:
            return
        append_jsonl(self.run_dir / "stats.jsonl", {"step": step, "time": round(elapsed, 3), **values})
        if self.tb is not None:
            for name, value in values.items():
                self.tb.add_scalar(name, value, step)

    def message(self, text: str) -> None:
        if self.run_dir is None:
            return
        tqdm.write(text)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with (self.run_dir / "log.txt").open("a", encoding="utf-8") as f:
            f.write(f"{stamp} {text}\n")

    def previews(self, step: int, grid: np.ndarray, waves: np.ndarray, sr: int, seeds: list[int]) -> None:
        """The spectrogram grid ``[H,W,3]`` uint8 and the first four previews' audio, to TensorBoard."""
        if self.tb is None:
            return
        self.tb.add_image("previews/spectrograms", grid, step, dataformats="HWC")
        for y, seed in zip(waves[:4], seeds):
            self.tb.add_audio(f"previews/seed{seed:04d}", torch.from_numpy(np.clip(y, -1, 1))[None], step, sr)

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
