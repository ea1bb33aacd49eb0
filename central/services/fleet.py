"""Heartbeat intake and the fleet view computed from it.

Liveness is derived when read, from the newest word's age, so it clears itself on the next
ping and needs no timer: up within 1.5 periods, late until 3 periods plus grace, then offline.
The newest word is a heartbeat from the app or a report from the kiosk's health agent; when the
agent's report is the newer and says the app is down, the kiosk is "app down" (PC up, app not)
rather than up or late (``kiosk_liveness``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Connection, literal, select
from sqlalchemy.orm import Session

from central.contract import models as wire
from central.db import EncodedJSON
from central.errors import ApiError
from central.heartbeats.bulk import BulkInsert
from central.models import AgentState, HeartbeatRecord, Kiosk, KioskState
from central.security.callers import SignedKiosk
from central.security.enrollment import office_wire
from central.settings import CentralSettings

log = logging.getLogger(__name__)


def check_sender(kiosk: SignedKiosk, beat: wire.Heartbeat) -> None:
    """A kiosk reports only for itself."""
    if beat.kiosk_id != kiosk.id:
        raise ApiError(
            403,
            "kiosk_mismatch",
            "Heartbeat atas nama kios lain.",
            "The heartbeat names a different kiosk than the one that signed it.",
        )


def heartbeat_ack(now: datetime, settings: CentralSettings) -> wire.HeartbeatAck:
    return wire.HeartbeatAck(received_at=now, next_in_s=settings.heartbeat_period_s)


PRINTER_KIND = "printer"  # the receipt printer's kind in the device model (drivers/base.py)
_WORKING_DEVICE = frozenset({"online", "busy"})  # any other state counts as a fault


@dataclass(frozen=True)
class Ping:
    """One accepted heartbeat, already serialised and with the facts history keeps: built on
    the thread that accepts it, so the writer, the one serial stage of the heartbeat path,
    only writes."""

    kiosk_id: str
    received_at: datetime
    sequence: int
    payload: EncodedJSON
    app_state: str
    app_reason: str | None
    paper: str | None  # the receipt printer's supply; None without a printer
    faults: int  # peripherals neither online nor busy
    outbox_backlog: int
    rtt_ms: float | None
    disk_free_mb: int
    device_change: bool
    app_version: str

    @classmethod
    def of(cls, kiosk_id: str, received_at: datetime, beat: wire.Heartbeat) -> Ping:
        printers = [p for p in beat.peripherals if p.kind == PRINTER_KIND]
        return cls(
            kiosk_id,
            received_at,
            beat.sequence,
            EncodedJSON(beat.model_dump_json()),
            app_state=beat.app_state.value,
            app_reason=beat.app_state_reason.value if beat.app_state_reason else None,
            paper=printers[0].supply if printers else None,
            faults=sum(p.state not in _WORKING_DEVICE for p in beat.peripherals),
            outbox_backlog=beat.outbox_backlog,
            rtt_ms=beat.network.rtt_ms,
            disk_free_mb=beat.resources.disk_free_mb,
            device_change=beat.trigger == "device_change",
            app_version=beat.versions.app,
        )


def write_heartbeats(connection: Connection, pings: list[Ping]) -> None:
    """Pings that arrived together, in one transaction the caller commits: a history row
    each and each kiosk's newest state (the later ping wins, as if written one by one).
    History is bounded by age, not here: ``kiosk-central heartbeats maintain`` rolls it up
    and drops what expired (central/heartbeats/retention.py). Rows are touched in kiosk
    order, so two processes writing at once on PostgreSQL lock them in the same order and
    cannot deadlock."""
    _ADD_HISTORY.run(
        connection,
        [{name: getattr(ping, name) for name in _HISTORY_COLUMNS} for ping in pings],
    )
    newest = {ping.kiosk_id: ping for ping in pings}
    states = [
        {name: getattr(ping, name) for name in _STATE_FIELDS} | {"last_seen_at": ping.received_at}
        for _, ping in sorted(newest.items())
    ]
    _UPSERT_STATE.run(connection, states)


_HISTORY_COLUMNS = (
    "kiosk_id",
    "received_at",
    "sequence",
    "app_state",
    "app_reason",
    "paper",
    "faults",
    "outbox_backlog",
    "rtt_ms",
    "disk_free_mb",
    "device_change",
)
_ADD_HISTORY = BulkInsert(HeartbeatRecord, _HISTORY_COLUMNS)
_STATE_FIELDS = (
    "kiosk_id",
    "sequence",
    "payload",
    "app_state",
    "app_reason",
    "paper",
    "faults",
    "outbox_backlog",
    "app_version",
)
_STATE_COLUMNS = ("last_seen_at", *_STATE_FIELDS)
# One statement instead of read-then-write: the newest ping per kiosk.
_UPSERT_STATE = BulkInsert(
    KioskState,
    _STATE_COLUMNS,
    tail="ON CONFLICT (kiosk_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _STATE_COLUMNS if name != "kiosk_id"),
)


def liveness(last_seen: datetime | None, now: datetime, settings: CentralSettings) -> wire.Liveness:
    if last_seen is None:
        return wire.Liveness.NEVER
    age = (now - last_seen).total_seconds()
    period = settings.heartbeat_period_s
    if age <= 1.5 * period:
        return wire.Liveness.UP
    if age <= 3 * period + settings.heartbeat_grace_s:
        return wire.Liveness.LATE
    return wire.Liveness.OFFLINE


def kiosk_liveness(
    heartbeat_at: datetime | None,
    agent_at: datetime | None,
    agent_says: wire.AgentReport | None,
    now: datetime,
    settings: CentralSettings,
) -> wire.Liveness:
    """One kiosk's state from its app's newest heartbeat and its health agent's newest report
    (each: when the centre received it). Either one shows the PC is there; "app down" only while
    the PC is (up or late) and the agent spoke last and said so: a heartbeat after it means the
    app is back."""
    seen = max((t for t in (heartbeat_at, agent_at) if t is not None), default=None)
    status = liveness(seen, now, settings)
    if status not in (wire.Liveness.UP, wire.Liveness.LATE) or agent_at is None:
        return status
    agent_spoke_last = heartbeat_at is None or agent_at >= heartbeat_at
    if agent_spoke_last and agent_says is not None and agent_says.app is wire.AppHealth.DOWN:
        return wire.Liveness.APP_DOWN
    return status


def _stored_agent_report(kiosk_id: str, payload: object) -> wire.AgentReport | None:
    try:
        return wire.AgentReport.model_validate(payload)
    except ValidationError:
        log.warning("stored agent report of kiosk %s does not read back; left out", kiosk_id)
        return None


def _stored_heartbeat(kiosk_id: str, payload: object) -> wire.Heartbeat | None:
    """The newest heartbeat as stored; None if it no longer reads as one (a row stored before
    a rule was tightened), so one bad row costs its kiosk's details, not every operator's
    fleet view."""
    try:
        return wire.Heartbeat.model_validate(payload)
    except ValidationError:
        log.warning("stored heartbeat of kiosk %s does not read back; shown without it", kiosk_id)
        return None


def fleet(
    db: Session,
    now: datetime,
    settings: CentralSettings,
    *,
    office_id: str | None = None,
    after: str | None = None,
    limit: int = wire.FLEET_PAGE_DEFAULT,
) -> wire.Fleet:
    """A page of ``limit`` kiosks after the kiosk id ``after`` (keyset: a national fleet is
    83,000 kiosks, too many for one answer), of ``office_id``'s kiosks or all; the counts
    cover every kiosk in that scope."""
    in_scope = literal(True) if office_id is None else Kiosk.office_id == office_id
    rows = db.execute(
        select(Kiosk, KioskState, AgentState)
        .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
        .outerjoin(AgentState, AgentState.kiosk_id == Kiosk.id)
        .where(in_scope, literal(True) if after is None else Kiosk.id > after)
        .order_by(Kiosk.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    kiosks = []
    for kiosk, state, agent in rows[:limit]:
        heartbeat_at = state.last_seen_at if state else None
        agent_at = agent.received_at if agent else None
        report = _stored_agent_report(kiosk.id, agent.payload) if agent else None
        kiosks.append(
            wire.FleetKiosk(
                kiosk_id=kiosk.id,
                office=office_wire(kiosk.office),
                liveness=kiosk_liveness(heartbeat_at, agent_at, report, now, settings),
                last_seen_at=max((t for t in (heartbeat_at, agent_at) if t), default=None),
                revoked=kiosk.revoked_at is not None,
                heartbeat=_stored_heartbeat(kiosk.id, state.payload) if state else None,
                agent=report,
            )
        )
    return wire.Fleet(
        generated_at=now,
        heartbeat_period_s=settings.heartbeat_period_s,
        counts=_counts(db, now, settings, in_scope),
        kiosks=kiosks,
        next_after=kiosks[-1].kiosk_id if more else None,
    )


def _counts(
    db: Session, now: datetime, settings: CentralSettings, in_scope: ColumnElement[bool]
) -> dict[wire.Liveness, int]:
    """Kiosks per liveness over the whole scope, reading only what liveness needs."""
    counts = dict.fromkeys(wire.Liveness, 0)
    rows = db.execute(
        select(Kiosk.id, KioskState.last_seen_at, AgentState.received_at, AgentState.payload)
        .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
        .outerjoin(AgentState, AgentState.kiosk_id == Kiosk.id)
        .where(in_scope)
    )
    for kiosk_id, heartbeat_at, agent_at, payload in rows:
        report = _stored_agent_report(kiosk_id, payload) if payload is not None else None
        counts[kiosk_liveness(heartbeat_at, agent_at, report, now, settings)] += 1
    return counts
