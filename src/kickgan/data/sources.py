"""Find the kick files in source folders: Hydrogen kits and plain sample folders.

A *Hydrogen kit* is a folder holding ``drumkit.xml``: each ``<instrument>`` has a
``<name>`` and either ``<layer>`` elements (``<filename>``, velocity ``<min>``/``<max>``;
in newer kits inside ``<instrumentComponent>``) or, in old kits, one ``<filename>``.
Its kit name is the drumkit's ``<name>``.

In a *plain folder* ``SRC``, a file's kit is the top-level subfolder of ``SRC`` it
lies in (``"SRC/sub"``), or ``SRC`` itself for loose files (``"parent/SRC"``: a flat
sample pack is one kit).

A file is a kick when its instrument name, file name or a folder below ``SRC``
names a kick (kick, bd, bassdrum, bass drum, kik, ...) and none of them names
another drum; ``all_kicks=True`` takes every file.
"""

from __future__ import annotations

import fnmatch
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from kickgan.io import AUDIO_EXTENSIONS

KICK_WORDS = {"kick", "kicks", "kik", "kck", "bd", "bassdrum", "bassdrums", "kickdrum"}
NON_KICK_WORDS = {
    "snare", "sd", "hat", "hihat", "hh", "tom", "toms", "cymbal", "crash", "ride", "clap", "stick",
    "rim", "rimshot", "cowbell", "shaker", "tamb", "tambourine", "conga", "bongo", "perc", "splash",
    "china", "cajon", "djembe", "clave", "clav", "loop", "vox", "fx",
}


@dataclass(frozen=True)
class Candidate:
    """One input file and what its source says about it."""

    path: Path
    kit: str
    instrument: str | None = None  # Hydrogen instrument name
    layer: int | None = None  # velocity layer index within the instrument
    velocity: tuple[float, float] | None = None  # the layer's velocity range (min, max)


@dataclass
class Discovery:
    """What :func:`discover` found: the kick candidates and the counts of what it passed over."""

    candidates: list[Candidate]
    not_kicks: int = 0
    excluded: int = 0


def words(text: str) -> list[str]:
    """Lower-case alphabetic words of a name: ``"Kick_Hard01"`` -> ``["kick", "hard"]``."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return re.findall(r"[a-z]+", spaced.lower())


def names_kick(text: str) -> bool:
    """Whether a name says kick: a kick word, a word starting with "kick", or "bass drum"/"drum bass"."""
    w = words(text)
    pairs = set(zip(w, w[1:]))
    return (
        any(x in KICK_WORDS or x.startswith("kick") for x in w)
        or ("bass", "drum") in pairs
        or ("drum", "bass") in pairs
    )


def names_other_drum(text: str) -> bool:
    """Whether a name says some other drum (snare, hat, tom, ...)."""
    return any(x in NON_KICK_WORDS for x in words(text))


def is_kick(names: list[str]) -> bool:
    """A kick when some name says kick and none says another drum."""
    return any(names_kick(n) for n in names) and not any(names_other_drum(n) for n in names)


def parse_drumkit(xml_path: Path) -> tuple[str, list[tuple[str, int | None, tuple[float, float] | None, str]]]:
    """Read a Hydrogen ``drumkit.xml`` (old and new schemas, with or without namespace).

    Returns the kit name and one ``(instrument, layer, (vel_min, vel_max), filename)`` per sample.
    """
    root = ET.parse(xml_path).getroot()
    for el in root.iter():
        el.tag = el.tag.rsplit("}", 1)[-1]
    kit = (root.findtext("name") or xml_path.parent.name).strip()
    samples = []
    for inst in root.iter("instrument"):
        name = (inst.findtext("name") or "").strip()
        for i, layer in enumerate(inst.iter("layer")):
            fname = (layer.findtext("filename") or "").strip()
            if fname:
                samples.append((name, i, _velocity(layer), fname))
        old = (inst.findtext("filename") or "").strip()
        if old:
            samples.append((name, None, None, old))
    return kit, samples


def _velocity(layer: ET.Element) -> tuple[float, float] | None:
    try:
        return float(layer.findtext("min", "")), float(layer.findtext("max", ""))
    except ValueError:
        return None


def discover(sources: list[Path], all_kicks: bool = False, exclude: tuple[str, ...] = ()) -> Discovery:
    """Every kick candidate under ``sources``, in a stable order (sorted paths)."""
    found = Discovery([])
    for src in sources:
        src = Path(src)
        if src.is_file():
            _offer(found, Candidate(src, src.parent.name), [src.stem], src.parent, all_kicks, exclude)
            continue
        top = src.resolve()
        kit_dirs = sorted(p.parent for p in src.rglob("drumkit.xml"))
        for kit_dir in kit_dirs:
            _hydrogen(found, kit_dir, src, all_kicks, exclude)
        for path in sorted(src.rglob("*")):
            if path.suffix.lower() not in AUDIO_EXTENSIONS or any(k in path.parents for k in kit_dirs):
                continue
            rel = path.relative_to(src)
            kit = f"{top.name}/{rel.parts[0]}" if len(rel.parts) > 1 else f"{top.parent.name}/{top.name}"
            _offer(found, Candidate(path, kit), [path.stem, *rel.parts[:-1]], src, all_kicks, exclude)
    return found


def _hydrogen(found: Discovery, kit_dir: Path, src: Path, all_kicks: bool, exclude: tuple[str, ...]) -> None:
    try:
        kit, samples = parse_drumkit(kit_dir / "drumkit.xml")
    except ET.ParseError as exc:
        print(f"warning: {kit_dir / 'drumkit.xml'}: not valid XML ({exc}); its files are skipped", file=sys.stderr)
        return
    for instrument, layer, velocity, fname in samples:
        cand = Candidate(kit_dir / fname, kit, instrument, layer, velocity)
        names = [instrument] if names_kick(instrument) else [instrument, Path(fname).stem]
        _offer(found, cand, names, src, all_kicks, exclude)


def _offer(found: Discovery, cand: Candidate, names: list[str], src: Path, all_kicks: bool, exclude) -> None:
    rel = str(cand.path.relative_to(src)) if cand.path.is_relative_to(src) else str(cand.path)
    if any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(cand.path.name, pat) for pat in exclude):
        found.excluded += 1
    elif all_kicks or is_kick(names):
        found.candidates.append(cand)
    else:
        found.not_kicks += 1
