"""The metric registry: name -> function -> flat dict, each citing its paper.

A metric is a function ``fn(gen, ref, train) -> dict[str, float | str]`` over
:class:`kickgan.metrics.features.Features` (``train`` may be ``None``). Its keys
are namespaced (``fd/aisfx-512``, ``desc/w1/attack_ms``) and name the embedding
where one is used. Results are appended to a JSON-lines log together with what
was measured, in the manner of stylegan2-ada's ``metric-*.jsonl``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

from kickgan.errors import ParameterError
from kickgan.io import append_jsonl


@dataclasses.dataclass(frozen=True)
class Metric:
    name: str
    paper: str
    fn: Callable
    needs_train: bool = False


METRICS: dict[str, Metric] = {}


def register_metric(name: str, paper: str, needs_train: bool = False) -> Callable:
    """Decorator: register ``fn`` under ``name``, citing ``paper``."""

    def decorate(fn: Callable) -> Callable:
        METRICS[name] = Metric(name, paper, fn, needs_train)
        return fn

    return decorate


def resolve(names: list[str] | None) -> list[Metric]:
    """The metrics called ``names`` (all, in registration order, for ``None``)."""
    if names is None:
        return list(METRICS.values())
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ParameterError(f"unknown metric(s) {', '.join(unknown)} (choose from {', '.join(METRICS)})")
    return [METRICS[n] for n in names]


def log_record(path, results: dict, **what) -> dict:
    """Append one record ``{"results", **what, "timestamp"}`` to the JSONL log at ``path``."""
    record = {"results": results, **what, "timestamp": time.time()}
    append_jsonl(path, record)
    return record
