"""The status file: what `kiosk run` is doing now, for technicians (`kiosk status`) and for a
separate health agent. Replaced atomically, so a reader never sees half a file.

It holds states and counts only — never a resident's data.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATUS_FILE_MODE = 0o644  # technicians read it without root; it holds no personal data


@dataclass(frozen=True)
class DeviceLine:
    role: str
    state: str
    supply: str
    cover: str
    last_error: str | None


@dataclass(frozen=True)
class RuntimeStatus:
    kiosk_id: str
    pid: int
    mode: str
    app_state: str
    reason: str | None
    centre_reachable: bool | None
    outbox_backlog: int
    heartbeats_sent: int
    last_heartbeat_at: str | None  # when the centre last confirmed one (ISO 8601, UTC)
    updated_at: str
    devices: list[DeviceLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_status(path: Path, status: RuntimeStatus) -> None:
    """Write to a temporary file beside ``path`` and rename it over: atomic on POSIX."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".status-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(status.as_dict(), out, indent=2)
            out.write("\n")
        os.chmod(temporary, STATUS_FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_status(path: Path) -> dict[str, Any]:
    """The last status written; ``OSError`` or ``ValueError`` when there is none or it is bad."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a kiosk status")
    return data
