"""Restarts: one run's budget spent on several independent trainings from fresh weights.

With ``restarts: K`` the run trains K *segments* one after another, each from newly initialised
networks and optimisers with the seed ``1000 seed + k`` (so the segments of seeds 0, 1, 2 are
distinct runs), and 1/K of the time budget (or of ``steps`` when the run has no budget). The loop's step, previews,
kept checkpoints and ``stats.jsonl`` run on across segments, and ``best.pt`` is the best
validation score of all of them: on 71 kicks a run is at its best after 500-1,500 steps and then
drifts (docs/training.md), so several short trainings and a selection that tracks the test kits
make better use of an hour than one long one.

Segment k is the plain run with :func:`segment_config`'s seed and share (``tests/test_train_restarts.py``):
its solver counts its own steps (EMA warm-up, batch order, learning-rate decay over the segment) and
the loop adds :attr:`Segment.step`.
"""

from __future__ import annotations

import dataclasses
import math

from kickgan.config import TrainConfig

SEED_STRIDE = 1000  # segment k trains with SEED_STRIDE * seed + k: up to 1000 restarts keep seeds apart


def segment_config(cfg: TrainConfig, index: int) -> TrainConfig:
    """The config segment ``index`` trains with: its seed, 1/``restarts`` of the budget and of the steps.
    With ``restarts: 1`` it is ``cfg`` itself."""
    if cfg.restarts == 1:
        return cfg
    return dataclasses.replace(cfg, seed=SEED_STRIDE * cfg.seed + index, restarts=1,
                               time_budget_minutes=cfg.time_budget_minutes / cfg.restarts,
                               steps=math.ceil(cfg.steps / cfg.restarts))


@dataclasses.dataclass(frozen=True)
class Segment:
    """Where a segment starts in the run: its index, the run's step and training seconds then."""

    index: int = 0
    step: int = 0
    seconds: float = 0.0

    def over(self, restarts: int, share: TrainConfig, train_seconds: float, step: int) -> bool:
        """Whether this segment, trained with ``share`` (its :func:`segment_config`), has spent it at the
        run's ``train_seconds`` and ``step`` and another of the run's ``restarts`` follows (the last
        segment runs until the run's own budget or steps end)."""
        if self.index + 1 >= restarts:
            return False
        budget = share.time_budget_minutes * 60
        if budget > 0:
            return train_seconds - self.seconds >= budget
        return step - self.step >= share.steps

    def state_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_state(cls, state: dict | None) -> Segment:
        """The segment a checkpoint was saved in (a checkpoint from before restarts: segment 0)."""
        return cls(**state) if state else cls()
