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
