"""A simulated 100 days of a 1,000-kiosk fleet on SQLite and a real PostgreSQL ends with
exactly the rows (and, on PostgreSQL, the day partitions) the retention policy promises.
Integration tier, not unit: tens of seconds of database work, too slow for the fast tier."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select, text

from central.heartbeats import partitions
from central.heartbeats.retention import PARTITIONS_AHEAD_DAYS, maintain
from central.models import HeartbeatHourly, HeartbeatRecord
from central.settings import CentralSettings
from tests.heartbeats.fleet import add_kiosks, kiosk_ids, ping_all
from tests.heartbeats.test_retention import (
    DAY,
    FLEET_PREFIX,
    HOUR,
    HOURS_WITH_PINGS_PER_DAY,
    PING_TIMES,
    START,
    _count,
)


def test_ninety_days_of_a_thousand_kiosks_keep_what_the_policy_promises(
    engine: Engine, settings: CentralSettings
) -> None:
    """Days 0..99 simulated with a manual clock, maintenance run every evening: raw pings of
    today and the 7 days before it, roll-ups of today and the 90 days before it, exactly."""
    fleet = kiosk_ids(1000, FLEET_PREFIX)
    add_kiosks(engine, fleet, START - DAY)
    days = 100
    for day in range(days):
        midnight = START + day * DAY
        for n, offset in enumerate(PING_TIMES):
            ping_all(engine, FLEET_PREFIX, midnight + offset, day * len(PING_TIMES) + n)
        report = maintain(engine, midnight + timedelta(hours=23, minutes=30), settings)
        assert report.rolled_up_until == midnight + 23 * HOUR

    raw_days = settings.history_raw_days + 1  # today and the days before it
    rollup_days = settings.history_days + 1
    assert _count(engine, HeartbeatRecord) == raw_days * len(PING_TIMES) * len(fleet)
    assert _count(engine, HeartbeatHourly) == rollup_days * HOURS_WITH_PINGS_PER_DAY * len(fleet)
    today = (START + (days - 1) * DAY).date()
    with engine.connect() as connection:
        oldest_raw = connection.scalar(select(func.min(HeartbeatRecord.received_at)))
        oldest_hour = connection.scalar(select(func.min(HeartbeatHourly.hour_start)))
        pings_rolled_up = connection.scalar(select(func.sum(HeartbeatHourly.pings)))
    assert oldest_raw == partitions.day_start(today - timedelta(days=7)) + PING_TIMES[0]
    assert oldest_hour == partitions.day_start(today - timedelta(days=90))
    assert pings_rolled_up == rollup_days * len(PING_TIMES) * len(fleet)

    if engine.dialect.name == "postgresql":  # the bound is partitions, not deletes
        with engine.connect() as connection:
            raw = partitions.dated_partitions(connection, "heartbeats")
            hourly = partitions.dated_partitions(connection, "heartbeat_hourly")
            in_default = connection.scalar(text("SELECT count(*) FROM heartbeats_default"))
        ahead = timedelta(days=PARTITIONS_AHEAD_DAYS)
        assert min(raw) == today - timedelta(days=7) and max(raw) == today + ahead
        assert len(raw) == 7 + 1 + PARTITIONS_AHEAD_DAYS
        assert min(hourly) == today - timedelta(days=90) and max(hourly) == today + ahead
        assert len(hourly) == 90 + 1 + PARTITIONS_AHEAD_DAYS
        assert in_default == 0
