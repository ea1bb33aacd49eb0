"""What the fleet pages read: the table (filtered, one page at a time) and a kiosk's history.

A kiosk's state is whatever the fleet service computes (``kiosk_state``, the one place that
calls it), so states added there show here as they are. The database counts and filters
(``state_column`` is the same verdict in SQL) and only the page of rows shown is read and
parsed: a district of 10,000 kiosks is one grouped count and one 100-row query
(bench/console.py). Problems are the open alerts (``alerts.py``), so filtering by one is an
indexed query too.

``heartbeat_history`` is the one function that reads history: its storage is changing to a
retention and roll-up scheme (issue 15 item 6), and only this function has to follow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from central.console.session import OfficeScope
from central.contract import models as wire
from central.models import HeartbeatRecord, Kiosk, KioskAlert, KioskState, Office
from central.services import fleet
from central.settings import CentralSettings

PAGE_SIZE = 100
HISTORY_LIMIT = 120  # the newest heartbeats shown on a kiosk's page
TIMELINE_SLOT_S = 300
TIMELINE_SLOTS = 24  # two hours in five-minute slots
STATES: tuple[str, ...] = tuple(state.value for state in wire.Liveness)


def kiosk_state(last_seen_at: datetime | None, now: datetime, settings: CentralSettings) -> str:
    """The fleet service's verdict for one kiosk, as the value shown and filtered on."""
    return fleet.liveness(last_seen_at, now, settings).value


@dataclass(frozen=True)
class FleetFilter:
    kecamatan: str | None = None
    state: str | None = None
    problem: str | None = None
    page: int = 1


@dataclass(frozen=True)
class Device:
    """One peripheral as the table shows it: its state and supply (paper)."""

    state: str
    supply: str


@dataclass(frozen=True)
class KioskLine:
    kiosk_id: str
    office_id: str
    office_name: str
    kecamatan_name: str
    state: str
    last_seen_at: datetime | None
    revoked: bool
    heartbeat: wire.Heartbeat | None
    alerts: list[str] = field(default_factory=list)

    def device(self, kind: str) -> Device | None:
        if self.heartbeat is None:
            return None
        for peripheral in self.heartbeat.peripherals:
            if peripheral.kind == kind:
                return Device(peripheral.state, peripheral.supply)
        return None


@dataclass(frozen=True)
class FleetPage:
    counts: dict[str, int]
    total: int
    lines: list[KioskLine]
    page: int
    pages: int
    kecamatans: list[tuple[str, str]]


def _kecamatans(db: Session, scope: OfficeScope) -> list[tuple[str, str]]:
    query = select(Office.id, Office.name).where(Office.kind == "kecamatan").order_by(Office.name)
    if scope.office_id is not None:
        query = query.where(
            Office.id
            == select(Office.parent_id).where(Office.id == scope.office_id).scalar_subquery()
        )
    return [(office_id, name) for office_id, name in db.execute(query)]


_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def state_column(now: datetime, settings: CentralSettings) -> ColumnElement[str]:
    """``kiosk_state`` as SQL, so the database counts and filters 10,000 kiosks instead of
    Python: the same thresholds (``tests/console/test_fleet_data.py`` holds the two to one
    verdict at every boundary). States that need more than the newest heartbeat's time
    ("app down", from the health agent's reports) are to be added here and there together."""
    period = settings.heartbeat_period_s
    up_since = now - timedelta(seconds=1.5 * period)
    late_since = now - timedelta(seconds=3 * period + settings.heartbeat_grace_s)
    seen = KioskState.last_seen_at
    return case(
        (seen.is_(None), wire.Liveness.NEVER.value),
        (seen >= up_since, wire.Liveness.UP.value),
        (seen >= late_since, wire.Liveness.LATE.value),
        else_=wire.Liveness.OFFLINE.value,
    )


def fleet_page(
    db: Session,
    scope: OfficeScope,
    wanted: FleetFilter,
    now: datetime,
    settings: CentralSettings,
) -> FleetPage:
    """One page of the fleet table, and the counts per state for the same offices,
    kecamatan and problem (so each count says what choosing that state would show)."""
    names = dict(_kecamatans(db, OfficeScope(None)))
    state = state_column(now, settings)
    conditions: list[ColumnElement[bool]] = [scope.where(Kiosk.office_id)]
    if wanted.kecamatan:
        conditions.append(Office.parent_id == wanted.kecamatan)
    if wanted.problem:
        conditions.append(
            Kiosk.id.in_(
                select(KioskAlert.kiosk_id).where(
                    KioskAlert.open_key.is_not(None), KioskAlert.kind == wanted.problem
                )
            )
        )

    def joined(query: _Query) -> _Query:
        return (
            query.select_from(Kiosk)
            .join(Office, Office.id == Kiosk.office_id)
            .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
            .where(*conditions)
        )

    counts = dict.fromkeys(STATES, 0)
    for value, count in db.execute(joined(select(state, func.count())).group_by(state)):
        counts[value] = count
    total = counts.get(wanted.state, 0) if wanted.state else sum(counts.values())
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, wanted.page), pages)
    query = joined(
        select(
            Kiosk.id,
            Kiosk.office_id,
            Office.name,
            Office.parent_id,
            KioskState.last_seen_at,
            Kiosk.revoked_at,
        )
    )
    if wanted.state:
        query = query.where(state == wanted.state)
    rows = db.execute(
        query.order_by(Office.parent_id, Office.name, Kiosk.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    ids = [row[0] for row in rows]
    alerts = open_alert_kinds(db, ids)
    beats = _newest_heartbeats(db, ids)  # read apart: sorting wide rows made late pages slow
    lines = [
        KioskLine(
            kiosk_id=kiosk_id,
            office_id=office_id,
            office_name=office_name,
            kecamatan_name=names.get(parent_id or "", ""),
            state=kiosk_state(last_seen_at, now, settings),
            last_seen_at=last_seen_at,
            revoked=revoked_at is not None,
            heartbeat=beats.get(kiosk_id),
            alerts=alerts.get(kiosk_id, []),
        )
        for kiosk_id, office_id, office_name, parent_id, last_seen_at, revoked_at in rows
    ]
    return FleetPage(counts, total, lines, page, pages, _kecamatans(db, scope))


def _newest_heartbeats(db: Session, kiosk_ids: list[str]) -> dict[str, wire.Heartbeat]:
    if not kiosk_ids:
        return {}
    rows = db.execute(
        select(KioskState.kiosk_id, KioskState.payload).where(KioskState.kiosk_id.in_(kiosk_ids))
    )
    found = {}
    for kiosk_id, payload in rows:
        beat = _heartbeat(payload)
        if beat is not None:
            found[kiosk_id] = beat
    return found


def _heartbeat(payload: Any) -> wire.Heartbeat | None:
    """A stored heartbeat; None if it no longer reads as one (its kiosk shows without it)."""
    try:
        return wire.Heartbeat.model_validate(payload)
    except ValidationError:
        return None


def open_alert_kinds(db: Session, kiosk_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if not kiosk_ids:
        return found
    rows = db.execute(
        select(KioskAlert.kiosk_id, KioskAlert.kind)
        .where(KioskAlert.open_key.is_not(None), KioskAlert.kiosk_id.in_(kiosk_ids))
        .order_by(KioskAlert.kind)
    )
    for kiosk_id, kind in rows:
        found.setdefault(kiosk_id, []).append(kind)
    return found


@dataclass(frozen=True)
class HistoryPoint:
    received_at: datetime
    heartbeat: wire.Heartbeat | None


def heartbeat_history(db: Session, kiosk_id: str, limit: int = HISTORY_LIMIT) -> list[HistoryPoint]:
    """A kiosk's recent heartbeats, newest first (the one reader of the history table)."""
    rows = db.execute(
        select(HeartbeatRecord.received_at, HeartbeatRecord.payload)
        .where(HeartbeatRecord.kiosk_id == kiosk_id)
        .order_by(HeartbeatRecord.id.desc())
        .limit(limit)
    )
    return [HistoryPoint(received_at, _heartbeat(payload)) for received_at, payload in rows]


@dataclass(frozen=True)
class Slot:
    """One stretch of the uptime timeline: heard from (any heartbeat in it) or not."""

    start: datetime
    heard: bool


def timeline(history: list[HistoryPoint], now: datetime) -> list[Slot]:
    """The last two hours, oldest first, in five-minute slots."""
    width = timedelta(seconds=TIMELINE_SLOT_S)
    start = now - width * TIMELINE_SLOTS
    heard = set()
    for point in history:
        if start <= point.received_at <= now:
            heard.add(min(TIMELINE_SLOTS - 1, int((point.received_at - start) / width)))
    return [Slot(start + width * index, index in heard) for index in range(TIMELINE_SLOTS)]
