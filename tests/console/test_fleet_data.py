"""The fleet table's SQL verdict (``state_column``) is the fleet service's (``liveness``) at
every boundary, and the uptime timeline puts heartbeats in the right slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from central.console.fleet_data import HistoryPoint, kiosk_state, state_column, timeline
from central.db import make_engine, make_sessionmaker
from central.models import Base, Kiosk, KioskState, Office
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
            .order_by(Kiosk.id)
        ).all()
    engine.dispose()
    verdicts = [(sql, kiosk_state(seen, NOW, settings)) for _, seen, sql in rows]
    assert all(sql == python for sql, python in verdicts), verdicts
    assert {sql for sql, _ in verdicts} == {"never", "up", "late", "offline"}


def test_timeline_slots() -> None:
    history = [
        HistoryPoint(NOW - timedelta(minutes=1), None),
        HistoryPoint(NOW - timedelta(minutes=7), None),
        HistoryPoint(NOW - timedelta(hours=3), None),  # before the timeline: ignored
    ]
    slots = timeline(history, NOW)
    assert len(slots) == 24 and slots[0].start == NOW - timedelta(hours=2)
    assert [index for index, slot in enumerate(slots) if slot.heard] == [22, 23]
