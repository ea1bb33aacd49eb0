"""The health agent's reports in, "app down" out: the fleet tells "PC up, app down" from
"offline" (issue 14, item 3). Real centre on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from central.contract.models import (
    AgentReport,
    AgentReportsAck,
    AppHealth,
    Fleet,
    FleetKiosk,
    Liveness,
)
from central.models import AgentReportRecord
from central.services.fleet import kiosk_liveness
from central.settings import CentralSettings
from tests.central.test_heartbeats import beat
from tests.support.central_server import CentralServer, EnrolledKiosk


def report(app: str = "up", *, observed_at: datetime | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "report_id": uuid.uuid4().hex,
        "observed_at": (observed_at or datetime.now(UTC)).isoformat(),
        "boot_id": "6f1c2f4e-boot",
        "uptime_s": 120.0,
        "app": app,
        "app_reason": None if app == "up" else "stopped",
        "app_state": "AVAILABLE" if app == "up" else None,
        "status_age_s": 3.0,
        "disk_free_mb": 20000,
        "disk_total_mb": 64000,
        "temperature_c": 48.0,
        "clock_offset_s": None,
        "agent_version": "0.1.0",
    }
    body.update(extra)
    return body


def _deliver(
    central: CentralServer, kiosk: EnrolledKiosk, *reports: dict[str, Any], key: str | None = None
) -> requests.Response:
    return kiosk.session.post(
        f"{central.url}/v1/agent/reports",
        json={"kiosk_id": kiosk.kiosk_id, "reports": list(reports)},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
        timeout=10,
    )


def _entry(central: CentralServer, api_key: str, kiosk_id: str) -> FleetKiosk:
    reply = requests.get(f"{central.url}/v1/fleet", headers={"X-Api-Key": api_key}, timeout=10)
    assert reply.status_code == 200, reply.text
    return next(
        k for k in Fleet.model_validate_json(reply.content).kiosks if k.kiosk_id == kiosk_id
    )


def test_an_agent_report_alone_shows_the_kiosk_up_with_its_facts(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    reply = _deliver(central, kiosk, report("up"))
    assert reply.status_code == 202, reply.text
    assert AgentReportsAck.model_validate_json(reply.content).stored == 1
    entry = _entry(central, central.operator_api_key(), kiosk.kiosk_id)
    assert entry.liveness is Liveness.UP
    assert entry.heartbeat is None
    assert entry.agent is not None and entry.agent.temperature_c == 48.0
    assert entry.last_seen_at == central.clock.now()


def test_the_agent_saying_down_after_the_last_heartbeat_is_app_down_until_the_app_beats(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    api_key = central.operator_api_key()
    heartbeat_url = f"{central.url}/v1/heartbeats"
    assert kiosk.session.post(heartbeat_url, json=beat(kiosk.kiosk_id, 1), timeout=10).ok
    central.clock.advance(30)
    assert _deliver(central, kiosk, report("down")).status_code == 202
    assert _entry(central, api_key, kiosk.kiosk_id).liveness is Liveness.APP_DOWN

    # the PC stays up and keeps saying so: app down, never "late" or "offline"
    for _ in range(5):
        central.clock.advance(60)
        assert _deliver(central, kiosk, report("down")).status_code == 202
    assert _entry(central, api_key, kiosk.kiosk_id).liveness is Liveness.APP_DOWN

    central.clock.advance(10)  # the app is back: its heartbeat is the newest word
    assert kiosk.session.post(heartbeat_url, json=beat(kiosk.kiosk_id, 2), timeout=10).ok
    assert _entry(central, api_key, kiosk.kiosk_id).liveness is Liveness.UP

    central.clock.advance(3600)  # and when nothing comes at all, it is offline, not app down
    assert _entry(central, api_key, kiosk.kiosk_id).liveness is Liveness.OFFLINE


def test_a_resent_delivery_stores_each_report_once_and_older_news_does_not_win(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    now = datetime.now(UTC)
    buffered = report("down", observed_at=now - timedelta(minutes=5))
    current = report("up", observed_at=now)
    assert (
        AgentReportsAck.model_validate_json(
            _deliver(central, kiosk, buffered, current).content
        ).stored
        == 2
    )
    # the answer was lost: the agent sends both again (a new request), nothing is doubled
    again = _deliver(central, kiosk, buffered, current)
    assert AgentReportsAck.model_validate_json(again.content).stored == 0
    # a straggler observed before the newest one does not take its place
    late = report("down", observed_at=now - timedelta(minutes=1))
    assert _deliver(central, kiosk, late).status_code == 202
    entry = _entry(central, central.operator_api_key(), kiosk.kiosk_id)
    assert entry.agent is not None and entry.agent.app is AppHealth.UP
    assert entry.liveness is Liveness.UP
    with central.context.sessions() as db:
        count = db.scalar(
            select(func.count())
            .select_from(AgentReportRecord)
            .where(AgentReportRecord.kiosk_id == kiosk.kiosk_id)
        )
    assert count == 3


def test_the_history_is_bounded(database: Any) -> None:
    settings = CentralSettings(database_url=database.url, agent_reports_kept=3)
    server = CentralServer(settings).start()
    try:
        kiosk = server.enroll()
        for _ in range(5):
            assert _deliver(server, kiosk, report("up")).status_code == 202
        with server.context.sessions() as db:
            kept = db.scalar(
                select(func.count())
                .select_from(AgentReportRecord)
                .where(AgentReportRecord.kiosk_id == kiosk.kiosk_id)
            )
    finally:
        server.stop()
    assert kept == 3


def test_reports_for_another_kiosk_unsigned_or_malformed_are_refused(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    other = central.enroll()
    mismatch = kiosk.session.post(
        f"{central.url}/v1/agent/reports",
        json={"kiosk_id": other.kiosk_id, "reports": [report("up")]},
        timeout=10,
    )
    assert mismatch.status_code == 403 and mismatch.json()["code"] == "kiosk_mismatch"
    unsigned = requests.post(
        f"{central.url}/v1/agent/reports",
        json={"kiosk_id": kiosk.kiosk_id, "reports": [report("up")]},
        timeout=10,
    )
    assert unsigned.status_code == 401
    down_without_reason = report("down", app_reason=None)
    assert _deliver(central, kiosk, down_without_reason).status_code == 422
    too_many = [report("up") for _ in range(61)]
    assert _deliver(central, kiosk, *too_many).status_code == 422
    assert _entry(central, central.operator_api_key(), kiosk.kiosk_id).agent is None


@pytest.mark.in_process
@pytest.mark.parametrize(
    ("heartbeat_age", "agent_age", "app", "expected"),
    [
        (None, None, None, Liveness.NEVER),
        (None, 10, "down", Liveness.APP_DOWN),  # installed, the app never started
        (None, 10, "up", Liveness.UP),
        (30, 10, "down", Liveness.APP_DOWN),
        (10, 30, "down", Liveness.UP),  # a heartbeat came after the agent's word
        (200, 100, "down", Liveness.APP_DOWN),  # heartbeats late, the PC answers
        (1000, 1000, "down", Liveness.OFFLINE),  # nothing recent at all
        (1000, None, None, Liveness.OFFLINE),
    ],
)
def test_the_state_rule(
    heartbeat_age: float | None, agent_age: float | None, app: str | None, expected: Liveness
) -> None:
    now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    settings = CentralSettings(heartbeat_period_s=60, heartbeat_grace_s=30)

    def at(age: float | None) -> datetime | None:
        return None if age is None else now - timedelta(seconds=age)

    said = AgentReport.model_validate(report(app)) if app else None
    assert kiosk_liveness(at(heartbeat_age), at(agent_age), said, now, settings) is expected
