"""What the fleet pages read: the table (filtered, one page at a time) and a kiosk's history.

A kiosk's state is whatever the fleet service computes (``kiosk_state``, the one place that
calls it), so states added there ("app down" from the health agent) show here as they are.
The table reads one narrow row per kiosk (no heartbeat payloads) to count and filter, and
parses the newest heartbeat only for the page of rows shown: a district of 10,000 kiosks costs
10,000 small rows, not 10,000 JSON documents (bench/console.py). Problems are the open alerts
(``alerts.py``), so filtering by one is an indexed query too.

``heartbeat_history`` is the one function that reads history: its storage is changing to a
retention and roll-up scheme (issue 15 item 6), and only this function has to follow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
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


def fleet_page(
    db: Session,
    scope: OfficeScope,
    wanted: FleetFilter,
    now: datetime,
    settings: CentralSettings,
) -> FleetPage:
    """One page of the fleet table, the counts per state for the same offices and
    kecamatan and problem (so the counts say what the state filter would give)."""
    names = {office_id: name for office_id, name in _kecamatans(db, OfficeScope(None))}
    query = (
        select(
            Kiosk.id,
            Kiosk.office_id,
            Office.name,
            Office.parent_id,
            KioskState.last_seen_at,
            Kiosk.revoked_at,
        )
        .join(Office, Office.id == Kiosk.office_id)
        .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
        .where(scope.where(Kiosk.office_id))
        .order_by(Office.parent_id, Office.name, Kiosk.id)
    )
    if wanted.kecamatan:
        query = query.where(Office.parent_id == wanted.kecamatan)
    if wanted.problem:
        query = query.where(
            Kiosk.id.in_(
                select(KioskAlert.kiosk_id).where(
                    KioskAlert.open_key.is_not(None), KioskAlert.kind == wanted.problem
                )
            )
        )
    counts = dict.fromkeys(STATES, 0)
    chosen = []
    for kiosk_id, office_id, office_name, parent_id, last_seen_at, revoked_at in db.execute(query):
        state = kiosk_state(last_seen_at, now, settings)
        counts[state] = counts.get(state, 0) + 1
        if wanted.state is None or state == wanted.state:
            chosen.append(
                (
                    kiosk_id,
                    office_id,
                    office_name,
                    names.get(parent_id or "", ""),
                    state,
                    last_seen_at,
                    revoked_at is not None,
                )
            )
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(max(1, wanted.page), pages)
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [row[0] for row in shown]
    beats = _newest_heartbeats(db, ids)
    alerts = open_alert_kinds(db, ids)
    lines = [
        KioskLine(*row, heartbeat=beats.get(row[0]), alerts=alerts.get(row[0], [])) for row in shown
    ]
    return FleetPage(counts, len(chosen), lines, page, pages, _kecamatans(db, scope))


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
