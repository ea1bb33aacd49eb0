"""The heartbeat payload: this kiosk's own state and every peripheral's, as the centre
expects it (``central.contract.models.Heartbeat``).

Read from /proc and the filesystem each time, so a ping always tells the current truth.
"""

from __future__ import annotations

import platform
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from central.contract.models import (
    AppState,
    Heartbeat,
    NetworkInfo,
    PeripheralStatus,
    Resources,
    Versions,
)
from common.layered_config import config_hash
from kiosk import __version__
from kiosk.agent.facts import boot_id, uptime_s
from kiosk.config import KioskConfig

_PROC = Path("/proc")


def _meminfo_mb() -> tuple[int, int]:
    values: dict[str, int] = {}
    try:
        for line in (_PROC / "meminfo").read_text().splitlines():
            name, _, rest = line.partition(":")
            values[name] = int(rest.split()[0]) // 1024
    except (OSError, ValueError, IndexError):
        return 0, 0
    return values.get("MemAvailable", 0), values.get("MemTotal", 0)


def resources(state_dir: Path) -> Resources:
    probe = state_dir if state_dir.exists() else Path("/")
    disk = shutil.disk_usage(probe)
    ram_free, ram_total = _meminfo_mb()
    return Resources(
        disk_free_mb=disk.free // 2**20,
        disk_total_mb=disk.total // 2**20,
        ram_free_mb=ram_free,
        ram_total_mb=ram_total,
    )


def default_interface() -> str | None:
    """The interface of the default route, from /proc/net/route (destination 00000000)."""
    try:
        for line in (_PROC / "net/route").read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 1 and fields[1] == "00000000":
                return fields[0]
    except OSError:
        pass
    return None


def build_heartbeat(
    config: KioskConfig,
    *,
    sequence: int,
    app_state: AppState | str,
    app_state_reason: str | None = None,
    peripherals: Sequence[PeripheralStatus] = (),
    outbox_backlog: int = 0,
    last_transaction_at: datetime | None = None,
    rtt_ms: float | None = None,
    trigger: str = "schedule",
) -> Heartbeat:
    if config.kiosk.id is None:
        raise ValueError("the kiosk is not enrolled: no kiosk.id in its configuration")
    return Heartbeat.model_validate(
        {
            "kiosk_id": config.kiosk.id,
            "sequence": sequence,
            "sent_at": datetime.now(UTC),
            "boot_id": boot_id(),
            "uptime_s": uptime_s(),
            "versions": Versions(
                app=__version__, os=platform.platform()[:255], python=platform.python_version()
            ),
            "config_hash": config_hash(config),
            "app_state": app_state,
            "app_state_reason": app_state_reason,
            "resources": resources(config.kiosk.state_dir),
            "network": NetworkInfo(interface=default_interface(), rtt_ms=rtt_ms),
            "outbox_backlog": outbox_backlog,
            "last_transaction_at": last_transaction_at,
            "peripherals": list(peripherals),
            "demo": config.kiosk.mode == "demo",
            "trigger": trigger,
        }
    )
