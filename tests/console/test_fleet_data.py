"""The fleet table's SQL verdict (``state_column``) is the fleet service's (``liveness``) at
every boundary, and the uptime timeline puts heartbeats in the right slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from central.console.fleet_data import kiosk_state, state_column, timeline
from central.db import make_engine, make_sessionmaker
from central.heartbeats.history import RawPing
from central.models import AgentState, Base, Kiosk, KioskState, Office
from central.settings import CentralSettings

pytestmark = pytest.mark.in_process

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_sql_and_python_agree_at_every_boundary(tmp_path: Path) -> None:
    settings = CentralSettings(heartbeat_period_s=60, heartbeat_grace_s=30)
    period, grace = settings.heartbeat_period_s, settings.heartbeat_grace_s
    ages: list[float | None] = [None, 0, 1.5 * period - 0.001, 1.5 * period, 1.5 * period + 0.001]
    ages += [3 * period + grace - 0.001, 3 * period + grace, 3 * period + grace + 0.001, 86400]
    engine = make_engine(f"sqlite:///{tmp_path / 'fleet.sqlite3'}")
    Base.metadata.create_all(engine)
    with make_sessionmaker(engine)() as db:
        db.add(Office(id="35.10", name="Banyuwangi", kind="kabupaten", parent_id=None))
        for number, age in enumerate(ages):
            kiosk_id = f"K{number}"
            db.add(
                Kiosk(
                    id=kiosk_id,
                    office_id="35.10",
                    public_key=bytes([number]) * 32,
                    hardware={},
                    enrolled_at=NOW,
                )
            )
            db.flush()
            if age is not None:
                db.add(
                    KioskState(
                        kiosk_id=kiosk_id,
                        last_seen_at=NOW - timedelta(seconds=age),
                        sequence=1,
                        payload={},
                    )
                )
        db.commit()
        rows = db.execute(
            select(Kiosk.id, KioskState.last_seen_at, state_column(NOW, settings))
            .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
            .outerjoin(AgentState, AgentState.kiosk_id == Kiosk.id)
            .order_by(Kiosk.id)
        ).all()
    engine.dispose()
    verdicts = [(sql, kiosk_state(seen, NOW, settings)) for _, seen, sql in rows]
    assert all(sql == python for sql, python in verdicts), verdicts
    assert {sql for sql, _ in verdicts} == {"never", "up", "late", "offline"}


def test_timeline_slots() -> None:
    def ping(ago: timedelta) -> RawPing:
        return RawPing(NOW - ago, 1, "AVAILABLE", None, "full", 0, 0, None, 20_000, False)

    history = [
        ping(timedelta(minutes=1)),
        ping(timedelta(minutes=7)),
        ping(timedelta(hours=3)),  # before the timeline: ignored
    ]
    slots = timeline(history, NOW)
    assert len(slots) == 24 and slots[0].start == NOW - timedelta(hours=2)
    assert [index for index, slot in enumerate(slots) if slot.heard] == [22, 23]


def _agent_report(app: str) -> dict[str, object]:
    return {
        "report_id": "0" * 32,
        "observed_at": NOW.isoformat(),
        "boot_id": "boot",
        "uptime_s": 120.0,
        "app": app,
        "app_reason": None if app == "up" else "stopped",
        "status_age_s": 3.0,
        "disk_free_mb": 20000,
        "disk_total_mb": 64000,
        "agent_version": "0.1.0",
    }


def test_the_health_agents_app_down_is_the_same_verdict_in_sql_and_python(
    tmp_path: Path,
) -> None:
    """PC up, app down: the agent spoke last and said so. A heartbeat after it means the app
    is back; an agent that says "up" keeps an otherwise silent kiosk up."""
    settings = CentralSettings(heartbeat_period_s=60, heartbeat_grace_s=30)
    minute = timedelta(minutes=1)
    cases = {
        # name: (heartbeat age, agent report age, agent says), expected
        "stale-app-agent-down": ((10 * minute), timedelta(seconds=5), "down"),
        "app-back-after-agent": (timedelta(seconds=5), minute, "down"),
        "only-agent-down": (None, timedelta(seconds=5), "down"),
        "agent-up-app-silent": ((10 * minute), timedelta(seconds=5), "up"),
        "both-silent": ((60 * minute), 60 * minute, "down"),
    }
    expected = {
        "stale-app-agent-down": "app_down",
        "app-back-after-agent": "up",
        "only-agent-down": "app_down",
        "agent-up-app-silent": "up",
        "both-silent": "offline",
    }
    engine = make_engine(f"sqlite:///{tmp_path / 'fleet.sqlite3'}")
    Base.metadata.create_all(engine)
    with make_sessionmaker(engine)() as db:
        db.add(Office(id="35.10", name="Banyuwangi", kind="kabupaten", parent_id=None))
        for number, (name, (beat_age, agent_age, says)) in enumerate(cases.items()):
            db.add(
                Kiosk(
                    id=name,
                    office_id="35.10",
                    public_key=bytes([number]) * 32,
                    hardware={},
                    enrolled_at=NOW,
                )
            )
            db.flush()
            if beat_age is not None:
                db.add(
                    KioskState(kiosk_id=name, last_seen_at=NOW - beat_age, sequence=1, payload={})
                )
            db.add(
                AgentState(
                    kiosk_id=name,
                    received_at=NOW - agent_age,
                    observed_at=NOW - agent_age,
                    payload=_agent_report(says),
                )
            )
        db.commit()
        rows = db.execute(
            select(
                Kiosk.id,
                KioskState.last_seen_at,
                AgentState.received_at,
                AgentState.payload,
                state_column(NOW, settings),
            )
            .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
            .outerjoin(AgentState, AgentState.kiosk_id == Kiosk.id)
        ).all()
    engine.dispose()
    sql = {kiosk_id: verdict for kiosk_id, _, _, _, verdict in rows}
    python = {
        kiosk_id: kiosk_state(seen, NOW, settings, agent_at, payload)
        for kiosk_id, seen, agent_at, payload, _ in rows
    }
    assert sql == python == expected
