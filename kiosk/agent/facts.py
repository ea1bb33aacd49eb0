"""The PC's own facts, read from /proc and /sys each time: boot, uptime, disk, temperature.

Standard library only: the heartbeat (``kiosk.health``) and the health agent both read them
here, and the agent must not import more than it needs.
"""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")
_THERMAL = Path("/sys/class/thermal")
MILLIDEGREES = 1000.0
# Readings outside this range are a sensor without a meaning (some report -273 or 255 °C).
PLAUSIBLE_C = (-40.0, 150.0)


def boot_id() -> str:
    """Changes at every boot, so the centre can tell a reboot from a long silence."""
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        import platform
        import uuid

        return str(uuid.uuid5(uuid.NAMESPACE_DNS, platform.node()))


def uptime_s() -> float:
    try:
        return float((_PROC / "uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def disk_mb(folder: Path) -> tuple[int, int]:
    """(free, total) MB of the filesystem holding ``folder`` (or the nearest folder that
    exists above it)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = os.statvfs(folder)  # what shutil.disk_usage reads, without importing shutil
    return usage.f_bavail * usage.f_frsize // 2**20, usage.f_blocks * usage.f_frsize // 2**20


def temperature_c(thermal: Path = _THERMAL) -> float | None:
    """The hottest plausible thermal zone, in °C; None where the PC exposes none (a VM)."""
    readings = []
    try:
        zones = [entry.path for entry in os.scandir(thermal) if entry.name.startswith("thermal_")]
    except OSError:
        return None
    for zone in zones:
        try:
            celsius = int(Path(zone, "temp").read_text().strip()) / MILLIDEGREES
        except (OSError, ValueError):
            continue
        if PLAUSIBLE_C[0] <= celsius <= PLAUSIBLE_C[1]:
            readings.append(celsius)
    return max(readings, default=None)
