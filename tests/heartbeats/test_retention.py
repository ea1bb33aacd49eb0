"""Roll-ups and retention on SQLite and a real PostgreSQL: what ``heartbeats maintain`` keeps
is exactly what the policy promises, and the roll-up of an hour is exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from central.heartbeats import partitions
from central.heartbeats.retention import (
    PARTITIONS_AHEAD_DAYS,
    maintain,
    roll_up_hour,
)
from central.models import HeartbeatHourly, HeartbeatRecord
from central.settings import CentralSettings
from tests.heartbeats.fleet import add_kiosks, kiosk_ids, ping, write

pytestmark = pytest.mark.in_process

START = datetime(2026, 9, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Each simulated day every kiosk pings three times: twice in the first hour, once after noon.
PING_TIMES = (timedelta(minutes=10), timedelta(minutes=40), timedelta(hours=13, minutes=20))
HOURS_WITH_PINGS_PER_DAY = 2
FLEET_PREFIX = "KSK-F"


def _count(engine: Engine, model: type[HeartbeatRecord] | type[HeartbeatHourly]) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


def _hourly(engine: Engine, kiosk_id: str, hour: datetime) -> HeartbeatHourly | None:
    with Session(engine) as db:
        return db.get(HeartbeatHourly, (kiosk_id, hour))


def test_an_hour_rolls_up_to_counts_min_max_and_last(engine: Engine) -> None:
    a, b = kiosk_ids(2)
    add_kiosks(engine, [a, b], START - DAY)
    hour = START + 5 * HOUR
    write(
        engine,
        [
            ping(a, hour - timedelta(seconds=1), 1, outbox_backlog=99),  # the hour before
            ping(a, hour, 2, outbox_backlog=3, rtt_ms=80.0, disk_free_mb=900, faults=1),
            ping(
                a,
                hour + timedelta(minutes=20),
                3,
                app_state="UNAVAILABLE",
                app_reason="consumables",
                paper="out",
                device_change=True,
                outbox_backlog=7,
                rtt_ms=None,
                disk_free_mb=850,
                faults=2,
            ),
            ping(a, hour + timedelta(minutes=59), 4, outbox_backlog=5, rtt_ms=20.0, faults=0),
            ping(a, hour + HOUR, 5, outbox_backlog=99),  # the hour after
            ping(b, hour + timedelta(minutes=30), 1, app_state="ACTIVE", paper=None),
        ],
    )
    with engine.begin() as connection:
        assert roll_up_hour(connection, hour) == 2
    row = _hourly(engine, a, hour)
    assert row is not None
    assert (row.pings, row.available_pings, row.device_changes) == (3, 2, 1)
    assert (row.first_at, row.last_at) == (hour, hour + timedelta(minutes=59))
    assert (row.last_app_state, row.last_app_reason, row.last_paper) == ("AVAILABLE", None, "full")
    assert (row.faults_min, row.faults_max, row.faults_last) == (0, 2, 0)
    assert (row.outbox_backlog_min, row.outbox_backlog_max, row.outbox_backlog_last) == (3, 7, 5)
    assert (row.rtt_ms_min, row.rtt_ms_max, row.rtt_ms_last) == (20.0, 80.0, 20.0)
    assert (row.disk_free_mb_min, row.disk_free_mb_max, row.disk_free_mb_last) == (
        850,
        20_000,
        20_000,
    )
    other = _hourly(engine, b, hour)
    assert other is not None
    assert (other.pings, other.available_pings, other.last_paper) == (1, 1, None)

    # Rolled up again (a re-run, a late ping): the same rows, rewritten, never doubled.
    write(engine, [ping(b, hour + timedelta(minutes=31), 2, app_state="UNAVAILABLE")])
    with engine.begin() as connection:
        assert roll_up_hour(connection, hour) == 2
    again = _hourly(engine, b, hour)
    assert again is not None and (again.pings, again.available_pings) == (2, 1)
    assert again.last_app_state == "UNAVAILABLE"
    assert _count(engine, HeartbeatHourly) == 2


def test_retention_boundaries_are_whole_utc_days(engine: Engine, settings: CentralSettings) -> None:
    """A ping one microsecond before the oldest kept day goes; one at its first instant stays."""
    (kiosk,) = kiosk_ids(1)
    add_kiosks(engine, [kiosk], START - 30 * DAY)
    now = START + timedelta(hours=9)
    first_kept = START - 7 * DAY
    write(
        engine,
        [
            ping(kiosk, first_kept - timedelta(microseconds=1), 1),
            ping(kiosk, first_kept, 2),
            ping(kiosk, now - timedelta(minutes=5), 3),
        ],
    )
    report = maintain(engine, now, settings)
    with engine.connect() as connection:
        kept = list(connection.scalars(select(HeartbeatRecord.sequence).order_by("sequence")))
        hours = list(connection.scalars(select(HeartbeatHourly.hour_start).order_by("hour_start")))
    assert kept == [2, 3]
    # The expired ping was gone before it could be rolled up (it was older than the raw
    # history when maintenance first ran); the current hour is not over.
    assert hours == [first_kept]
    assert report.rolled_up_until == START + 8 * HOUR


@pytest.mark.postgres
def test_rows_pinged_without_a_partition_move_into_it(
    engine: Engine, settings: CentralSettings
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    fleet = kiosk_ids(3)
    add_kiosks(engine, fleet, START - DAY)
    now = START + timedelta(hours=2)
    write(engine, [ping(k, now - timedelta(minutes=1), 1) for k in fleet])
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM heartbeats_default")) == 3
    report = maintain(engine, now, settings)
    expected = {
        partitions.partition_name(table, (START + n * DAY).date())
        for table in partitions.PARTITIONED
        for n in range(PARTITIONS_AHEAD_DAYS + 1)
    }
    assert set(report.created) == expected
    today = partitions.partition_name("heartbeats", START.date())
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM heartbeats_default")) == 0
        assert connection.scalar(text(f"SELECT count(*) FROM {today}")) == 3
    assert _count(engine, HeartbeatRecord) == 3
    assert maintain(engine, now, settings).created == []  # a second run changes nothing
