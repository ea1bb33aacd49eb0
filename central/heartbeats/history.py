"""Every question the fleet pages ask of heartbeat history, in one module.

The console (central/console/) calls these and nothing else reads the history tables, so the
storage behind them (raw pings by day, hourly roll-ups, the latest state kept by ingest;
central/heartbeats/retention.py) can change without touching a page. Each function takes a
database session, what to look at (a kiosk, or an office and every office under it) and the
time: ``now`` from the app's clock, so tests move time by hand. Times are aware UTC.

- ``recent_pings``: a kiosk's raw pings, newest first (raw rows last ``history_raw_days``).
- ``uptime_timeline``: per hour or day, the share of expected pings a kiosk sent.
- ``monthly_availability``: per office, the same share over a calendar month (UTC).
- ``latest_states`` and ``fleet_summary``: the fleet table and its counts, from the small
  latest-state table ingest keeps (``kiosk_state``), never from history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, case, func, literal, or_, select
from sqlalchemy.orm import Session

from central.contract.models import Liveness
from central.heartbeats.retention import HOUR, rolled_up_until
from central.models import HeartbeatHourly, HeartbeatRecord, Kiosk, KioskState, Office
from central.settings import CentralSettings

MAX_RECENT_PINGS = 2000  # a day and a half of one kiosk's pings: more is a timeline's job
KECAMATAN_CODE_LENGTH = 8  # "35.10.01" in a Kemendagri code: the district a kiosk is in
DAY = timedelta(days=1)
Bucket = Literal["hour", "day"]
SERVING_STATES = ("AVAILABLE", "ACTIVE")
PAPER_PROBLEMS = ("low", "out")


# ---------------------------------------------------------------- one kiosk


@dataclass(frozen=True)
class RawPing:
    received_at: datetime
    sequence: int
    app_state: str
    app_reason: str | None
    paper: str | None
    faults: int
    outbox_backlog: int
    rtt_ms: float | None
    disk_free_mb: int
    device_change: bool


def recent_pings(
    db: Session, kiosk_id: str, since: datetime, until: datetime, limit: int = 500
) -> list[RawPing]:
    """The kiosk's raw pings received in [since, until), newest first, at most ``limit``
    (bounded by ``MAX_RECENT_PINGS``)."""
    h = HeartbeatRecord
    rows = db.execute(
        select(
            h.received_at,
            h.sequence,
            h.app_state,
            h.app_reason,
            h.paper,
            h.faults,
            h.outbox_backlog,
            h.rtt_ms,
            h.disk_free_mb,
            h.device_change,
        )
        .where(h.kiosk_id == kiosk_id, h.received_at >= since, h.received_at < until)
        .order_by(h.received_at.desc(), h.sequence.desc())
        .limit(max(0, min(limit, MAX_RECENT_PINGS)))
    )
    return [RawPing(**row._asdict()) for row in rows]


@dataclass(frozen=True)
class UptimeBucket:
    """One hour or day of a kiosk's timeline. ``expected`` counts only the time the kiosk
    was enrolled (and not revoked) and that has passed; None-shares mean nothing was due."""

    start: datetime
    end: datetime
    pings: int
    available_pings: int  # pings whose app state was AVAILABLE or ACTIVE
    expected: float

    @property
    def share(self) -> float | None:
        """Share of the expected pings received (device-change pings can exceed it: capped)."""
        return min(1.0, self.pings / self.expected) if self.expected > 0 else None

    @property
    def available_share(self) -> float | None:
        return min(1.0, self.available_pings / self.expected) if self.expected > 0 else None


def uptime_timeline(
    db: Session,
    kiosk_id: str,
    start: datetime,
    end: datetime,
    now: datetime,
    settings: CentralSettings,
    bucket: Bucket = "hour",
) -> list[UptimeBucket]:
    """Buckets of an hour or a UTC day from ``start`` (rounded down) to ``end``. Hours
    already rolled up come from the roll-ups; the rest (the last hour or two) from the raw
    pings. An unknown kiosk has an empty timeline."""
    kiosk = db.get(Kiosk, kiosk_id)
    if kiosk is None:
        return []
    step = HOUR if bucket == "hour" else DAY
    first = _floor(start, bucket)
    counts = _hourly_counts(db, kiosk_id, first, end)
    active_from = kiosk.enrolled_at
    active_until = min(now, kiosk.revoked_at) if kiosk.revoked_at else now
    buckets = []
    moment = first
    while moment < end:
        bucket_end = moment + step
        pings = available = 0
        hour = moment
        while hour < bucket_end:
            got = counts.get(hour, (0, 0))
            pings, available = pings + got[0], available + got[1]
            hour += HOUR
        covered = _overlap(moment, bucket_end, active_from, active_until)
        expected = covered / settings.heartbeat_period_s
        buckets.append(UptimeBucket(moment, bucket_end, pings, available, expected))
        moment = bucket_end
    return buckets


def _hourly_counts(
    db: Session, kiosk_id: str, start: datetime, end: datetime
) -> dict[datetime, tuple[int, int]]:
    """(pings, available pings) per hour in [start, end) for one kiosk."""
    watermark = rolled_up_until(db.connection()) or start
    hourly = HeartbeatHourly
    counts = {
        row.hour_start: (row.pings, row.available_pings)
        for row in db.execute(
            select(hourly.hour_start, hourly.pings, hourly.available_pings).where(
                hourly.kiosk_id == kiosk_id,
                hourly.hour_start >= start,
                hourly.hour_start < min(end, watermark),
            )
        )
    }
    raw = HeartbeatRecord
    for received_at, app_state in db.execute(
        select(raw.received_at, raw.app_state).where(
            raw.kiosk_id == kiosk_id,
            raw.received_at >= max(start, watermark),
            raw.received_at < end,
        )
    ):
        hour = _floor(received_at, "hour")
        pings, available = counts.get(hour, (0, 0))
        counts[hour] = (pings + 1, available + (app_state in SERVING_STATES))
    return counts


def _floor(moment: datetime, bucket: Bucket) -> datetime:
    moment = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0) if bucket == "day" else moment


def _overlap(start: datetime, end: datetime, lower: datetime, upper: datetime) -> float:
    return max(0.0, (min(end, upper) - max(start, lower)).total_seconds())


# ---------------------------------------------------------------- offices


def _within(office_id: str | None) -> ColumnElement[bool]:
    """Kiosks of the office and of every office under it: Kemendagri codes nest by prefix
    (35 → 35.10 → 35.10.01 → 35.10.01.2001). All kiosks when None."""
    if office_id is None:
        return literal(True)
    return or_(Kiosk.office_id == office_id, Kiosk.office_id.like(f"{office_id}.%"))


@dataclass(frozen=True)
class OfficeAvailability:
    office_id: str
    office_name: str
    kiosks: int
    pings: int
    available_pings: int
    expected: float

    @property
    def share(self) -> float | None:
        return min(1.0, self.pings / self.expected) if self.expected > 0 else None

    @property
    def available_share(self) -> float | None:
        return min(1.0, self.available_pings / self.expected) if self.expected > 0 else None


@dataclass(frozen=True)
class AvailabilityReport:
    """A month's availability per office. ``until`` is where the figures stop: the month's
    end, or the last hour rolled up if the month is not over."""

    month: date
    start: datetime
    until: datetime
    offices: list[OfficeAvailability]


def monthly_availability(
    db: Session,
    month: date,
    now: datetime,
    settings: CentralSettings,
    office_id: str | None = None,
) -> AvailabilityReport:
    """Per office (the office ``office_id`` and those under it; all when None), the share of
    expected pings its kiosks sent in ``month`` (its first day; UTC), from the roll-ups."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    month_end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    until = min(month_end, rolled_up_until(db.connection()) or start, now)
    until = max(until, start)
    hourly = HeartbeatHourly
    sums = (
        select(
            hourly.kiosk_id,
            func.sum(hourly.pings).label("pings"),
            func.sum(hourly.available_pings).label("available"),
        )
        .where(hourly.hour_start >= start, hourly.hour_start < until)
        .group_by(hourly.kiosk_id)
        .subquery()
    )
    rows = db.execute(
        select(
            Kiosk.office_id,
            Office.name,
            Kiosk.enrolled_at,
            Kiosk.revoked_at,
            func.coalesce(sums.c.pings, 0),
            func.coalesce(sums.c.available, 0),
        )
        .join(Office, Office.id == Kiosk.office_id)
        .outerjoin(sums, sums.c.kiosk_id == Kiosk.id)
        .where(_within(office_id), Kiosk.enrolled_at < until)
    )
    totals: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for office, name, enrolled_at, revoked_at, pings, available in rows:
        covered = _overlap(start, until, enrolled_at, revoked_at or until)
        entry = totals.setdefault(office, [0, 0, 0, 0.0])
        entry[0] += 1
        entry[1] += pings
        entry[2] += available
        entry[3] += covered / settings.heartbeat_period_s
        names[office] = name
    offices = [
        OfficeAvailability(office, names[office], int(k), int(p), int(a), e)
        for office, (k, p, a, e) in sorted(totals.items())
    ]
    return AvailabilityReport(month.replace(day=1), start, until, offices)


# ---------------------------------------------------------------- the fleet, now


def liveness_case(now: datetime, settings: CentralSettings) -> ColumnElement[str]:
    """``central.services.fleet.liveness`` as SQL over ``kiosk_state.last_seen_at``, so that
    counts over 83,000 kiosks are one aggregate (the same boundaries: a test holds them)."""
    period = settings.heartbeat_period_s
    up_since = now - timedelta(seconds=1.5 * period)
    late_since = now - timedelta(seconds=3 * period + settings.heartbeat_grace_s)
    seen = KioskState.last_seen_at
    return case(
        (seen.is_(None), Liveness.NEVER.value),
        (seen >= up_since, Liveness.UP.value),
        (seen >= late_since, Liveness.LATE.value),
        else_=Liveness.OFFLINE.value,
    )


@dataclass(frozen=True)
class LatestState:
    """One row of the fleet table. The facts are None before the kiosk's first ping (and
    on a row not rewritten since migration 0006, until the next ping)."""

    kiosk_id: str
    office_id: str
    liveness: Liveness
    last_seen_at: datetime | None
    app_state: str | None
    app_reason: str | None
    paper: str | None
    faults: int | None
    outbox_backlog: int | None
    app_version: str | None
    revoked: bool


def latest_states(
    db: Session,
    now: datetime,
    settings: CentralSettings,
    office_id: str | None = None,
    kiosk_ids: Sequence[str] | None = None,
) -> list[LatestState]:
    """The fleet table: each kiosk of the office (and those under it; all when None), or
    the given kiosks, with its liveness at ``now`` and its last reported facts, by id."""
    state = KioskState
    query = (
        select(
            Kiosk.id,
            Kiosk.office_id,
            liveness_case(now, settings),
            state.last_seen_at,
            state.app_state,
            state.app_reason,
            state.paper,
            state.faults,
            state.outbox_backlog,
            state.app_version,
            Kiosk.revoked_at,
        )
        .outerjoin(state, state.kiosk_id == Kiosk.id)
        .where(_within(office_id))
    )
    if kiosk_ids is not None:
        query = query.where(Kiosk.id.in_(list(kiosk_ids)))
    rows = db.execute(query.order_by(Kiosk.id))
    return [
        LatestState(
            kiosk_id=row[0],
            office_id=row[1],
            liveness=Liveness(row[2]),
            last_seen_at=row[3],
            app_state=row[4],
            app_reason=row[5],
            paper=row[6],
            faults=row[7],
            outbox_backlog=row[8],
            app_version=row[9],
            revoked=row[10] is not None,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class AreaSummary:
    """One kecamatan's kiosks by liveness."""

    area_id: str
    kiosks: int
    liveness: dict[Liveness, int]


@dataclass(frozen=True)
class FleetSummary:
    """The national (or an office's) summary: counts only, no row per kiosk."""

    generated_at: datetime
    kiosks: int
    liveness: dict[Liveness, int]
    app_states: dict[str, int]  # "AVAILABLE", "ACTIVE", "UNAVAILABLE", "unknown" (no facts)
    paper_low: int
    paper_out: int
    with_faults: int  # kiosks reporting a peripheral neither online nor busy
    with_backlog: int  # kiosks whose outbox holds submissions not yet delivered
    areas: list[AreaSummary] = field(default_factory=list)


def fleet_summary(
    db: Session, now: datetime, settings: CentralSettings, office_id: str | None = None
) -> FleetSummary:
    """Counts over the latest state of every (non-revoked) kiosk in the office and those
    under it (all when None), and the same per kecamatan: two aggregates in the database."""
    state = KioskState
    area = func.substr(Kiosk.office_id, 1, KECAMATAN_CODE_LENGTH).label("area")
    alive = liveness_case(now, settings).label("liveness")
    kiosks = (
        select(
            area,
            alive,
            func.coalesce(state.app_state, "unknown").label("app_state"),
            state.paper,
            func.coalesce(state.faults, 0).label("faults"),
            func.coalesce(state.outbox_backlog, 0).label("backlog"),
        )
        .select_from(Kiosk)
        .outerjoin(state, state.kiosk_id == Kiosk.id)
        .where(Kiosk.revoked_at.is_(None), _within(office_id))
        .subquery()
    )
    grouped = db.execute(
        select(
            kiosks.c.area,
            kiosks.c.liveness,
            kiosks.c.app_state,
            func.count(),
            func.sum(case((kiosks.c.paper == "low", 1), else_=0)),
            func.sum(case((kiosks.c.paper == "out", 1), else_=0)),
            func.sum(case((kiosks.c.faults > 0, 1), else_=0)),
            func.sum(case((kiosks.c.backlog > 0, 1), else_=0)),
        ).group_by(kiosks.c.area, kiosks.c.liveness, kiosks.c.app_state)
    )
    liveness: Counter[Liveness] = Counter()
    app_states: Counter[str] = Counter()
    per_area: dict[str, Counter[Liveness]] = {}
    paper_low = paper_out = with_faults = with_backlog = 0
    for area_id, alive_value, app_state, count, low, out, faulty, backlog in grouped:
        status = Liveness(alive_value)
        liveness[status] += count
        app_states[app_state] += count
        per_area.setdefault(area_id, Counter())[status] += count
        paper_low += low or 0
        paper_out += out or 0
        with_faults += faulty or 0
        with_backlog += backlog or 0
    every = list(Liveness)
    return FleetSummary(
        generated_at=now,
        kiosks=sum(liveness.values()),
        liveness={status: liveness[status] for status in every},
        app_states=dict(app_states),
        paper_low=paper_low,
        paper_out=paper_out,
        with_faults=with_faults,
        with_backlog=with_backlog,
        areas=[
            AreaSummary(area_id, sum(counts.values()), {s: counts[s] for s in every})
            for area_id, counts in sorted(per_area.items())
        ],
    )
