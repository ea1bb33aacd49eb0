"""The runtime's journald log format and the status file, as plain units."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.runtime import logs
from kiosk.runtime.cli import _as_text
from kiosk.runtime.status import DeviceLine, RuntimeStatus, read_status, write_status


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.configure(logging.DEBUG, stream)
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


@pytest.mark.parametrize(
    ("level", "prefix"),
    [
        (logging.DEBUG, "<7>"),
        (logging.INFO, "<6>"),
        (logging.WARNING, "<4>"),
        (logging.ERROR, "<3>"),
        (logging.CRITICAL, "<3>"),
    ],
)
def test_each_line_carries_the_journal_priority(
    captured: io.StringIO, level: int, prefix: str
) -> None:
    logging.getLogger("kiosk.test").log(level, "first\nsecond")
    assert captured.getvalue().splitlines() == [
        f"{prefix}kiosk.test: first",
        f"{prefix}second",
    ]


def _status(**changes: object) -> RuntimeStatus:
    fields: dict[str, object] = {
        "kiosk_id": "KSK-TEST",
        "pid": os.getpid(),
        "mode": "production",
        "app_state": "UNAVAILABLE",
        "reason": "consumables",
        "centre_reachable": True,
        "outbox_backlog": 2,
        "heartbeats_sent": 7,
        "last_heartbeat_at": None,
        "updated_at": "2026-12-04T03:00:00+00:00",
        "devices": [DeviceLine("printer", "offline", "out", "closed", "paper out")],
    }
    fields.update(changes)
    return RuntimeStatus(**fields)  # type: ignore[arg-type]


def test_status_file_is_replaced_whole_and_readable_by_all(tmp_path: Path) -> None:
    path = tmp_path / "state" / "status.json"
    write_status(path, _status())
    write_status(path, _status(app_state="AVAILABLE", reason=None))
    assert read_status(path)["app_state"] == "AVAILABLE"
    assert [p.name for p in path.parent.iterdir()] == ["status.json"]  # no temporary left
    assert path.stat().st_mode & 0o777 == 0o644


def test_status_text_names_state_reason_and_devices(tmp_path: Path) -> None:
    text = _as_text(json.loads(json.dumps(_status().as_dict())), running=True)
    assert "state: UNAVAILABLE (consumables)" in text
    assert "printer      offline  supply=out cover=closed  (paper out)" in text
    assert "2 submission(s) waiting" in text
    assert "STOPPED" in _as_text(_status().as_dict(), running=False)
