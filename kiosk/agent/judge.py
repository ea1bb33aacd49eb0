"""Is the kiosk app alive? Judged from outside it, so that a dead or hung app cannot vouch for
itself: from the status file the runtime rewrites at every heartbeat (kiosk/runtime/status.py)
and, where systemd runs, from whether it gave up restarting the app's unit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

# The runtime rewrites its status file at each heartbeat (every period, ±10 %) and on events:
# older than this many periods, it missed a write at least once and is taken as hung or dead.
STALE_PERIODS = 2.0
STOPPED = "STOPPED"  # what the runtime writes on its way out (kiosk/runtime/health.py)
SERVING_STATES = ("AVAILABLE", "ACTIVE", "UNAVAILABLE")  # central.contract.models.AppState
KIOSK_UNITS = ("anjungan-kiosk.service", "anjungan-app.service")
SYSTEMD_RUNNING = Path("/run/systemd/system")  # sd_booted(): present only when systemd is PID 1
SYSTEMCTL_TIMEOUT_S = 5.0


class Verdict(NamedTuple):
    up: bool
    reason: str | None  # central.contract.models.AppDownReason when down
    app_state: str | None  # the app's own state when up
    status_age_s: float | None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def units_failed(units: Sequence[str]) -> bool:
    """systemd's word: one of ``units`` is "failed" (restarts exhausted). False without systemd
    (a container, a development machine) or when it cannot be asked."""
    if not units or not SYSTEMD_RUNNING.is_dir():
        return False
    import shutil  # only where systemd runs: the agent imports no more than it uses
    import subprocess

    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return False
    try:
        answer = subprocess.run(  # noqa: S603 - fixed command, unit names from our own options
            [systemctl, "is-failed", "--quiet", *units],
            timeout=SYSTEMCTL_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.returncode == 0  # is-failed: 0 when at least one is failed


def judge(
    status_file: Path,
    period_s: float,
    now: float,
    *,
    unit_failed: Callable[[], bool] = lambda: False,
) -> Verdict:
    """Down when the unit failed, when the runtime never wrote its status here, when it says it
    stopped or its process is gone, or when the file is older than ``STALE_PERIODS`` periods."""
    if unit_failed():
        return Verdict(False, "unit_failed", None, None)
    try:
        written = status_file.stat().st_mtime
        status = json.loads(status_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Verdict(False, "no_status", None, None)
    if not isinstance(status, dict):
        return Verdict(False, "no_status", None, None)
    age = max(0.0, now - _updated_at(status, written))
    if status.get("app_state") == STOPPED or not _alive(status.get("pid")):
        return Verdict(False, "stopped", None, age)
    if age > STALE_PERIODS * period_s:
        return Verdict(False, "stale", None, age)
    state = status.get("app_state")
    return Verdict(True, None, state if state in SERVING_STATES else None, age)


def _updated_at(status: dict[str, object], written: float) -> float:
    """The runtime's own time stamp; the file's time when that is missing or unreadable."""
    stamp = status.get("updated_at")
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            pass
    return written
