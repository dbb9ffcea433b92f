"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse

from kickgan.errors import UsageError


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def make_parser(prog: str, description: str, examples: str) -> argparse.ArgumentParser:
    """A parser whose --help ends with example invocations."""
    return _Parser(
        prog=prog,
        description=description,
        epilog="examples:\n" + examples.strip("\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def parse_int_list(text: str) -> list[int]:
    """Parse non-negative integers such as ``"3,17,42"`` or ``"0-7"`` (inclusive ranges)."""
    out: list[int] = []
    try:
        for part in (p.strip() for p in text.split(",")):
            if "-" in part:
                lo, hi = part.split("-", 1)
                out.extend(range(int(lo), int(hi) + 1))
            elif part:
                out.append(int(part))
    except ValueError:
        raise UsageError(f"not a list of integers: '{text}' (expected e.g. 3,17,42 or 0-7)") from None
    if not out:
        raise UsageError(f"empty list of integers: '{text}'")
    return out


def parse_device(text: str) -> str:
    """A torch device this machine has (``cpu``, ``cuda``, ``cuda:1``, ``mps``), for ``type=`` of
    ``--device``: a malformed or absent one is a one-line usage error, not a traceback later."""
    import torch

    try:
        device = torch.device(text)
    except (RuntimeError, ValueError):
        raise argparse.ArgumentTypeError(f"not a torch device: '{text}' (e.g. cpu, cuda, cuda:1, mps)") from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise argparse.ArgumentTypeError(f"'{text}': this machine has no CUDA device (use cpu)")
        if device.index is not None and device.index >= count:
            raise argparse.ArgumentTypeError(f"'{text}': this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}")
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise argparse.ArgumentTypeError(f"'{text}': MPS is not available on this machine (use cpu)")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise argparse.ArgumentTypeError(f"'{text}': kickgan runs on cpu, cuda or mps")
    return text
