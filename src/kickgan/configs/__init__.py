"""The training and experiment configs that ship with kickgan (``configs/`` in the repository
is a link to this folder), so ``--config tiny`` works wherever kickgan is installed."""

from __future__ import annotations

from pathlib import Path

from kickgan.errors import KickganError

CONFIG_DIR = Path(__file__).resolve().parent


def find_config(spec: str | Path) -> Path:
    """``spec`` if it is an existing file, else the shipped config of that name (``tiny`` or
    ``tiny.yaml``: ``CONFIG_DIR/tiny.yaml``).

    Raises:
        KickganError: naming ``spec`` and the shipped configs, when it is neither.
    """
    path = Path(spec)
    if path.is_file():
        return path
    shipped = CONFIG_DIR / (path.name if path.suffix == ".yaml" else f"{path.name}.yaml")
    if path.parent == Path(".") and shipped.is_file():
        return shipped
    names = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
    raise KickganError(f"{spec}: no such config file, nor a shipped config (shipped: {names})")
