"""A heartbeat through the real route (uvicorn on loopback, both databases) leaves its facts
in the raw history and in the latest state, and the maintenance command runs as a
technician runs it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from central.commands.process import central_command
from central.heartbeats.history import latest_states, recent_pings
from central.settings import CentralSettings
from tests.central.test_heartbeats import beat
from tests.support.central_server import CentralServer


@pytest.fixture
def central(settings: CentralSettings) -> Iterator[CentralServer]:
    server = CentralServer(settings).start()
    yield server
    server.stop()


def test_a_heartbeat_leaves_its_facts_in_history_and_latest_state(central: CentralServer) -> None:
    kiosk = central.enroll()
    body = beat(
        kiosk.kiosk_id,
        7,
        app_state="UNAVAILABLE",
        app_state_reason="consumables",
        outbox_backlog=4,
        trigger="device_change",
        versions={"app": "2.3.4"},
        peripherals=[
            {"name": "printer", "kind": "printer", "state": "error", "supply": "out"},
            {"name": "card_reader", "kind": "card_reader", "state": "online"},
            {"name": "camera", "kind": "camera", "state": "offline"},
        ],
    )
    reply = kiosk.session.post(f"{central.url}/v1/heartbeats", json=body, timeout=10)
    assert reply.status_code == 202, reply.text
    now = central.clock.now()
    with central.context.sessions() as db:
        (raw,) = recent_pings(db, kiosk.kiosk_id, now.replace(year=2000), now.replace(year=2100))
        (state,) = latest_states(db, now, central.settings, kiosk_ids=[kiosk.kiosk_id])
    assert (raw.sequence, raw.app_state, raw.app_reason) == (7, "UNAVAILABLE", "consumables")
    assert (raw.paper, raw.faults, raw.outbox_backlog, raw.device_change) == ("out", 2, 4, True)
    assert (raw.rtt_ms, raw.disk_free_mb) == (41.5, 20000)
    assert (state.app_state, state.paper, state.faults, state.app_version) == (
        "UNAVAILABLE",
        "out",
        2,
        "2.3.4",
    )
    assert state.liveness == "up"


def test_maintain_command_reports_what_it_did(settings: CentralSettings) -> None:
    done = subprocess.run(
        [*central_command(), "heartbeats", "maintain", "--database-url", settings.database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rolled up" in done.stdout and "expired rows deleted: 0 raw, 0 hourly" in done.stdout
    created = "partitions created: none" in done.stdout
    assert created == settings.database_url.startswith("sqlite")  # PostgreSQL makes days ahead
