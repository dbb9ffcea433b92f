"""The one way every config section checks its fields: each check raises ``ParameterError``
whose message starts with the field's name, so :mod:`kickgan.config` can prefix the section::

    kind: must be one of bce, wgan-gp, hinge (got 'wgan')      ->  loss.kind: must be one of ...

Used by :class:`kickgan.spectral.SpecConfig`, :class:`kickgan.models.ModelConfig` and the
sections of :class:`kickgan.config.TrainConfig`.
"""

from __future__ import annotations

from typing import Any

from kickgan.errors import ParameterError


def choice(key: str, value: Any, choices: tuple) -> None:
    """``value`` is one of ``choices``."""
    if value not in choices:
        raise ParameterError(f"{key}: must be one of {', '.join(map(str, choices))} (got {value!r})")


def integer(key: str, value: Any, low: int = 1) -> None:
    """``value`` is an int (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{key}: must be an integer (got {value!r})")
    at_least(key, value, low)


def at_least(key: str, value: float, low: float) -> None:
    """``value >= low``."""
    if not value >= low:
        raise ParameterError(f"{key}: must be at least {low:g} (got {value})")


def above(key: str, value: float, low: float) -> None:
    """``value > low``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > low:
        raise ParameterError(f"{key}: must be greater than {low:g} (got {value!r})")


def within(key: str, value: float, low: float, high: float, *, open_low: bool = False, closed_high: bool = False) -> None:
    """``low <= value < high``; ``open_low``: ``low < value``; ``closed_high``: ``value <= high``."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and (low < value if open_low else low <= value) and (value <= high if closed_high else value < high)
    if not ok:
        interval = f"{'(' if open_low else '['}{low:g}, {high:g}{']' if closed_high else ')'}"
        raise ParameterError(f"{key}: must be in {interval} (got {value!r})")
