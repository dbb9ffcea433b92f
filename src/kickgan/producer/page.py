"""A listening page: one HTML file that plays folders of kicks from disk (no server), in the
style of the experiment report's gallery (:mod:`kickgan.experiment.gallery`).

Each folder becomes a section: the model that made its kicks (from their sidecars: checkpoint
name and SHA-256), links to the sampler kits in it (``*.sfz``, ``*.h2drumkit``), and a player for
every WAV below it, in rows of ``per_row``, captioned with the file's name (its seed).
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

from kickgan.errors import KickganError
from kickgan.experiment.gallery import STYLE, audio_table
from kickgan.io import read_json, write_text

KITS = ("*.sfz", "*.h2drumkit")


def write_page(folders: list[str | Path], out: str | Path, title: str = "kickgan kicks", per_row: int = 8) -> Path:
    """Write ``out`` (HTML) with a section per folder of kicks; every path in it is relative to ``out``."""
    out = Path(out)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{escape(title)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>{escape(title)}</h1>"]
    for folder in map(Path, folders):
        parts += _section(folder, out.parent, per_row)
    parts.append("</body></html>")
    write_text(out, "\n".join(parts) + "\n")
    return out


def _section(folder: Path, root: Path, per_row: int) -> list[str]:
    wavs = sorted(folder.rglob("*.wav"))
    if not wavs:
        raise KickganError(f"{folder}: no .wav files to listen to")
    rel = [Path(os.path.relpath(w, root)).as_posix() for w in wavs]
    rows = [(f"{i + 1}-{min(i + per_row, len(rel))}", rel[i : i + per_row]) for i in range(0, len(rel), per_row)]
    kits = [k for pattern in KITS for k in sorted(folder.rglob(pattern))]
    links = " ".join(f'<a href="{escape(Path(os.path.relpath(k, root)).as_posix())}">{escape(k.name)}</a>' for k in kits)
    return [f"<h2>{escape(folder.name)}: {len(wavs)} kicks</h2>", f"<p>{escape(_made_by(wavs))}"
            + (f" Sampler kit: {links}." if links else "") + "</p>", audio_table(rows, root, per_row)]


def _made_by(wavs: list[Path]) -> str:
    """Which checkpoints made these kicks, from their sidecars."""
    made = {}
    for wav in wavs:
        sidecar = wav.with_suffix(".json")
        record = read_json(sidecar) if sidecar.is_file() else {}
        if isinstance(record, dict) and record.get("checkpoint_hash"):
            made[record["checkpoint_hash"]] = Path(str(record.get("checkpoint", "?"))).name
    if not made:
        return "No sidecars: not made by kickgan, or moved without them."
    return "Made by " + ", ".join(f"{name} (sha256 {digest[:12]})" for digest, name in made.items()) + "."
