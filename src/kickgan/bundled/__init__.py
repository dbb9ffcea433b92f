"""The pretrained models that ship inside the package, and the one the producer commands use
when no checkpoint is given.

The folder of this module holds, per model, the generator file of ``kickgan export``
(``NAME.pt``), its fitted steering controls beside it (``NAME.controls.json``, the file
:mod:`kickgan.producer.controls` reads, so steering never refits), and the index
``models.json``::

    {"format": "kickgan-models/1", "default": NAME,
     "models": [{"name", "file", "sha256", "controls", "card", "training_data", "config",
                 "steps", "scores": {...}}]}

``pip install .`` installs the folder (package data in pyproject.toml). Every use checks
the weights against the index's SHA-256 and the controls against the weights, so a corrupt
or missing file is a one-line error, never a silent different model.

    from kickgan.bundled import default_checkpoint
    KickSampler.from_checkpoint(default_checkpoint())
"""

from __future__ import annotations

from pathlib import Path

from kickgan.errors import KickganError
from kickgan.io import read_json

FOLDER = Path(__file__).parent  # tests point this at a temporary folder
INDEX = "models.json"
FORMAT = "kickgan-models/1"
CONTROLS_FORMAT = "kickgan-controls/3"  # kickgan.producer.controls.FORMAT (not imported: it pulls in torch)
FIX = "reinstall kickgan (pip install .), or give a checkpoint"


def read_index(folder: str | Path | None = None) -> dict:
    """The index of the bundled models (``models.json``), checked for its format and fields."""
    path = Path(folder or FOLDER) / INDEX
    if not path.is_file():
        raise KickganError(f"{path}: no bundled model index; {FIX}")
    index = read_json(path)
    if not isinstance(index, dict) or index.get("format") != FORMAT or not isinstance(index.get("models"), list):
        raise KickganError(f"{path}: not a bundled model index (expected format {FORMAT})")
    for entry in index["models"]:
        missing = [key for key in ("name", "file", "sha256", "controls") if key not in entry]
        if missing:
            raise KickganError(f"{path}: model entry lacks {', '.join(missing)}")
    return index


def find(name: str | None = None, folder: str | Path | None = None) -> dict:
    """The index entry of model ``name`` (default: the index's default model)."""
    index = read_index(folder)
    name = name or index.get("default")
    names = [entry["name"] for entry in index["models"]]
    if not names:
        raise KickganError(f"{Path(folder or FOLDER) / INDEX}: this installation ships no pretrained model; give a checkpoint")
    if name not in names:
        raise KickganError(f"bundled model '{name}': not shipped (shipped: {', '.join(names)})")
    return index["models"][names.index(name)]


def checkpoint(name: str | None = None, folder: str | Path | None = None) -> Path:
    """The verified generator file of bundled model ``name`` (default: the default model).

    Raises:
        KickganError: naming the file, when the weights or controls are missing, or the
            weights' SHA-256 differs from the index, or the controls were fitted to other weights.
    """
    from kickgan.checkpoints import file_sha256

    folder = Path(folder or FOLDER)
    entry = find(name, folder)
    path, controls = folder / entry["file"], folder / entry["controls"]
    for part in (path, controls):
        if not part.is_file():
            raise KickganError(f"bundled model '{entry['name']}': {part} is missing; {FIX}")
    digest = file_sha256(path)
    if digest != entry["sha256"]:
        raise KickganError(f"bundled model '{entry['name']}': {path} is corrupt (sha256 {digest[:12]}, "
                           f"{INDEX} says {entry['sha256'][:12]}); {FIX}")
    record = read_json(controls)
    if not isinstance(record, dict) or record.get("format") != CONTROLS_FORMAT or record.get("checkpoint_hash") != digest:
        raise KickganError(f"bundled model '{entry['name']}': {controls} does not belong to {path.name} "
                           f"(format or checkpoint_hash differs); {FIX}")
    return path


def is_bundled_name(text: str, folder: str | Path | None = None) -> bool:
    """Whether ``text``, given where a checkpoint goes, names a bundled model: no file or folder of
    that name exists, and the index has a model of that name (a path always wins over a name)."""
    if Path(text).exists() or not (Path(folder or FOLDER) / INDEX).is_file():
        return False
    return text in [entry["name"] for entry in read_index(folder)["models"]]


def default_checkpoint() -> Path:
    """The generator file the producer commands use when no checkpoint is given."""
    return checkpoint()
