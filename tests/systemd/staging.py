"""A staging root that ``systemd-analyze --root`` can check the units in.

``verify`` resolves everything inside the root: the units they order against (sysinit.target,
network-online.target, …) and the executables they start. So the root gets a copy of the host's
system units, the project's units where ``kiosk-provision install`` puts them, and stub
executables standing in for the kiosk's virtualenv and cage (the stub is what a staging root can
hold; the real ones arrive with the packages and the first update).
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UNITS_SOURCE = REPO / "systemd"
HOST_UNITS = Path("/usr/lib/systemd/system")
UNIT_DIR = Path("etc/systemd/system")
STUB_EXECUTABLES = (
    "opt/anjungan/current/bin/kiosk",
    "opt/anjungan/current/bin/kiosk-provision",
    "usr/bin/cage",
    "usr/bin/chown",
)


def unit_files(source: Path = UNITS_SOURCE) -> list[Path]:
    """Every unit the project ships."""
    return sorted(p for p in source.iterdir() if p.suffix in (".service", ".timer"))


def add_host_units(root: Path) -> None:
    """The host's own units (targets and sockets the project's units name)."""
    target = root / HOST_UNITS.relative_to("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(HOST_UNITS, target, symlinks=True, dirs_exist_ok=True)


def add_stub_executables(root: Path) -> None:
    for relative in STUB_EXECUTABLES:
        stub = root / relative
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)


def staging_root(root: Path, units: list[Path] | None = None) -> Path:
    """Fill ``root`` with the host's units, the stubs and ``units``; return the unit folder."""
    add_host_units(root)
    add_stub_executables(root)
    unit_dir = root / UNIT_DIR
    unit_dir.mkdir(parents=True, exist_ok=True)
    for unit in units if units is not None else unit_files():
        shutil.copy2(unit, unit_dir / unit.name)
    return unit_dir
