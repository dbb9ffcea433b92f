"""The open kick set: the kicks of four Debian sample packages, built into one dataset.

=====================  ================================  ========================================
Debian package         folder                            what
=====================  ================================  ========================================
hydrogen-drumkits,     /usr/share/hydrogen/data/drumkits  Hydrogen kits (drumkit.xml, velocity layers)
hydrogen-data
lmms-common            /usr/share/lmms/samples/drums      loose one-shots (kick*, bassdrum*)
sonic-pi-samples       /usr/share/sonic-pi/samples        a flat pack (bd_*, drum_bass_*, *_kick)
=====================  ================================  ========================================

Licences are in each package's ``/usr/share/doc/<package>/copyright`` and in docs/data.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kickgan.data.build import Build, build_dataset
from kickgan.errors import KickganError

PACKAGES = ("hydrogen-drumkits", "hydrogen-data", "lmms-common", "sonic-pi-samples")
SOURCES = (
    Path("/usr/share/hydrogen/data/drumkits"),
    Path("/usr/share/lmms/samples/drums"),
    Path("/usr/share/sonic-pi/samples"),
)


def build_open_kicks(out: str | Path, sources: tuple[Path, ...] = SOURCES, **options) -> Build:
    """Build the open kick set at ``out`` from the installed package folders (``options`` as in ``build_dataset``)."""
    missing = [str(s) for s in sources if not s.is_dir()]
    if missing:
        hint = f"apt-get install {' '.join(PACKAGES)}" if shutil.which("apt-get") else f"install {', '.join(PACKAGES)}"
        raise KickganError(f"sample folders missing: {', '.join(missing)} ({hint}, or run scripts/get-open-kicks.sh)")
    return build_dataset(list(sources), out, **options)
