"""Validation of the data shapes a model is built for: ``(C, F, N)`` spectrograms or ``(1, T)`` waves."""

from __future__ import annotations

from kickgan.errors import ParameterError


def _is_power_of_two(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n > 0 and n & (n - 1) == 0


def check_spec_shape(shape: tuple[int, ...], *, min_size: int) -> tuple[int, int, int]:
    """Return ``(C, F, N)`` or raise ``ParameterError``: C in {1, 2}, F and N powers of two >= min_size."""
    shape = tuple(shape)
    if len(shape) != 3 or shape[0] not in (1, 2):
        raise ParameterError(f"model shape: expected (C, F, N) with C = 1 or 2, got {shape}")
    channels, n_freq, n_frames = shape
    for name, n in (("F", n_freq), ("N", n_frames)):
        if not _is_power_of_two(n) or n < min_size:
            raise ParameterError(f"model shape: {name} must be a power of two >= {min_size}, got {shape}")
    return channels, n_freq, n_frames


def check_wave_shape(shape: tuple[int, ...], lengths: tuple[int, ...]) -> int:
    """Return T or raise ``ParameterError``: shape ``(1, T)`` with T one of ``lengths``."""
    shape = tuple(shape)
    if len(shape) != 2 or shape[0] != 1 or shape[1] not in lengths:
        raise ParameterError(
            f"model shape: wavegan needs (1, T) with T in {', '.join(map(str, lengths))}, got {shape}"
        )
    return shape[1]
