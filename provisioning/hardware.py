"""A short description of the unit being enrolled, so operators can tell kiosks apart."""

from __future__ import annotations

import os
import platform
import shutil
import socket
from pathlib import Path

from central.contract.models import HardwareSummary
from kiosk import __version__


def _ram_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def hardware_summary(state_dir: Path) -> HardwareSummary:
    probe = state_dir if state_dir.exists() else Path("/")
    return HardwareSummary(
        hostname=socket.gethostname()[:255],
        machine=platform.machine()[:64] or "unknown",
        os=platform.platform()[:255],
        cpu_count=os.cpu_count() or 1,
        ram_mb=_ram_mb(),
        disk_mb=shutil.disk_usage(probe).total // (1024 * 1024),
        app_version=__version__,
    )
