"""The fleet pages' questions (central/heartbeats/history.py) on SQLite and PostgreSQL: a
kiosk's timeline with known gaps, the month's availability per office, the latest state
and the national summary, liveness in SQL the same as in Python."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from central.contract.models import Liveness
from central.heartbeats.history import (
    fleet_summary,
    latest_states,
    monthly_availability,
    recent_pings,
    uptime_timeline,
)
from central.heartbeats.retention import maintain
from central.models import Kiosk
from central.services.fleet import Ping, liveness
from central.settings import CentralSettings
from tests.heartbeats.fleet import OTHER_OFFICE, add_kiosks, kiosk_ids, ping, write

pytestmark = pytest.mark.in_process

T0 = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _every_minute(
    kiosk_id: str, start: datetime, count: int, first_sequence: int, **facts: object
) -> list[Ping]:
    return [ping(kiosk_id, start + n * MINUTE, first_sequence + n, **facts) for n in range(count)]


def test_uptime_timeline_shows_the_gaps(engine: Engine, settings: CentralSettings) -> None:
    """Enrolled at 08:00. 08:xx every ping; 09:xx none (the gap); 10:xx half of them, the
    last ten unavailable; 11:00-11:30 every ping, read at 11:30 before they are rolled up."""
    (kiosk,) = kiosk_ids(1)
    add_kiosks(engine, [kiosk], T0)
    write(engine, _every_minute(kiosk, T0, 60, 1))
    write(engine, _every_minute(kiosk, T0 + 2 * HOUR, 20, 100))
    write(
        engine, _every_minute(kiosk, T0 + 2 * HOUR + 20 * MINUTE, 10, 200, app_state="UNAVAILABLE")
    )
    now = T0 + 3 * HOUR + 30 * MINUTE
    write(engine, _every_minute(kiosk, T0 + 3 * HOUR, 30, 300))
    report = maintain(engine, now, settings)
    assert report.rolled_up_until == T0 + 3 * HOUR  # 11:xx is not over: read from raw

    with Session(engine) as db:
        hours = uptime_timeline(db, kiosk, T0 - HOUR, now, now, settings)
        days = uptime_timeline(db, kiosk, T0, now, now, settings, bucket="day")
        unknown = uptime_timeline(db, "KSK-NOBODY", T0, now, now, settings)
    assert [b.start for b in hours] == [T0 + n * HOUR for n in range(-1, 4)]
    assert [b.pings for b in hours] == [0, 60, 0, 30, 30]
    assert [b.expected for b in hours] == [0, 60, 60, 60, 30]
    assert [b.share for b in hours] == [None, 1.0, 0.0, 0.5, 1.0]
    assert [b.available_share for b in hours] == [None, 1.0, 0.0, pytest.approx(1 / 3), 1.0]
    (day,) = days
    assert day.start == T0.replace(hour=0) and day.pings == 120 and day.expected == 210
    assert unknown == []


def test_recent_pings_are_newest_first_within_the_window(engine: Engine) -> None:
    a, b = kiosk_ids(2)
    add_kiosks(engine, [a, b], T0)
    write(engine, _every_minute(a, T0, 10, 1, paper="low") + _every_minute(b, T0, 10, 1))
    with Session(engine) as db:
        got = recent_pings(db, a, T0 + 2 * MINUTE, T0 + 6 * MINUTE, limit=3)
    assert [p.sequence for p in got] == [6, 5, 4]
    assert {p.paper for p in got} == {"low"}


def test_liveness_in_sql_is_the_same_as_in_python(
    engine: Engine, settings: CentralSettings
) -> None:
    """Ages on both sides of each boundary (1.5 periods; 3 periods plus grace)."""
    period, grace = settings.heartbeat_period_s, settings.heartbeat_grace_s
    ages = [0, 1.5 * period - 1, 1.5 * period, 1.5 * period + 1, 3 * period + grace]
    ages += [3 * period + grace + 1, 86_400]
    ids = kiosk_ids(len(ages) + 1)
    now = T0 + 2 * HOUR
    add_kiosks(engine, ids, T0)
    write(
        engine,
        [ping(k, now - timedelta(seconds=age), 1) for k, age in zip(ids, ages, strict=False)],
    )
    with Session(engine) as db:
        states = {s.kiosk_id: s for s in latest_states(db, now, settings)}
    for kiosk_id, age in zip(ids, ages, strict=False):
        expected = liveness(now - timedelta(seconds=age), now, settings)
        assert states[kiosk_id].liveness == expected, age
    assert states[ids[-1]].liveness == Liveness.NEVER and states[ids[-1]].app_state is None


def test_fleet_summary_counts_states_problems_and_areas(
    engine: Engine, settings: CentralSettings
) -> None:
    here = kiosk_ids(4, "KSK-A")
    there = kiosk_ids(2, "KSK-B")
    add_kiosks(engine, here, T0)
    add_kiosks(engine, there, T0, office_id=OTHER_OFFICE)
    now = T0 + HOUR
    write(
        engine,
        [
            ping(here[0], now, 1),
            ping(here[1], now, 1, paper="low", outbox_backlog=2),
            ping(here[2], now - HOUR, 1, app_state="UNAVAILABLE", paper="out", faults=1),
            ping(there[0], now, 1, app_state="ACTIVE"),
        ],
    )  # here[3] and there[1] never pinged
    with engine.begin() as connection:  # a revoked kiosk is not in the summary
        connection.execute(update(Kiosk).where(Kiosk.id == there[1]).values(revoked_at=now))
    with Session(engine) as db:
        summary = fleet_summary(db, now, settings)
        district = fleet_summary(db, now, settings, office_id="35.10.01")
        table = latest_states(db, now, settings, office_id="35.10.02")
    assert summary.kiosks == 5
    assert summary.liveness == {
        Liveness.UP: 3,
        Liveness.LATE: 0,
        Liveness.OFFLINE: 1,
        Liveness.NEVER: 1,
        Liveness.APP_DOWN: 0,  # the summary counts heartbeats only, not the agent's reports
    }
    assert summary.app_states == {"AVAILABLE": 2, "ACTIVE": 1, "UNAVAILABLE": 1, "unknown": 1}
    assert (summary.paper_low, summary.paper_out) == (1, 1)
    assert (summary.with_faults, summary.with_backlog) == (1, 1)
    assert [(a.area_id, a.kiosks) for a in summary.areas] == [("35.10.01", 4), ("35.10.02", 1)]
    assert district.kiosks == 4 and district.liveness[Liveness.UP] == 2
    assert [(s.kiosk_id, s.revoked) for s in table] == [(there[0], False), (there[1], True)]


def test_monthly_availability_per_office(engine: Engine, settings: CentralSettings) -> None:
    """Two kiosks enrolled at the start of October: one pinged every minute of the 1st and
    2nd, the other only on the 1st; read on 3 October at 00:30 once rolled up."""
    here, there = kiosk_ids(1, "KSK-A") + kiosk_ids(1, "KSK-B")
    start = datetime(2026, 10, 1, tzinfo=UTC)
    add_kiosks(engine, [here], start)
    add_kiosks(engine, [there], start, office_id=OTHER_OFFICE)
    minutes = 24 * 60
    write(engine, _every_minute(here, start, 2 * minutes, 1))
    write(engine, _every_minute(there, start, minutes, 1))
    now = start + timedelta(days=2, minutes=30)
    maintain(engine, now, settings)
    with Session(engine) as db:
        report = monthly_availability(db, date(2026, 10, 17), now, settings)
        one = monthly_availability(db, date(2026, 10, 1), now, settings, office_id=OTHER_OFFICE)
        before = monthly_availability(db, date(2026, 9, 1), now, settings)
    assert report.start == start and report.until == start + timedelta(days=2)
    shares = {o.office_id: (o.kiosks, o.pings, o.expected, o.share) for o in report.offices}
    assert shares == {
        "35.10.01.2001": (1, 2 * minutes, 2 * minutes, 1.0),
        OTHER_OFFICE: (1, minutes, 2 * minutes, 0.5),
    }
    assert [o.office_id for o in one.offices] == [OTHER_OFFICE]
    assert before.offices == []  # nobody was enrolled in September
