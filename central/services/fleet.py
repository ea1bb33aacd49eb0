"""Heartbeat intake and the fleet view computed from it.

Liveness is derived when read, from the newest word's age, so it clears itself on the next
ping and needs no timer: up within 1.5 periods, late until 3 periods plus grace, then offline.
The newest word is a heartbeat from the app or a report from the kiosk's health agent; when the
agent's report is the newer and says the app is down, the kiosk is "app down" (PC up, app not)
rather than up or late (``kiosk_liveness``).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, delete, select
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


@dataclass(frozen=True)
class Ping:
    """One accepted heartbeat, already serialised: built on the thread that accepts it, so
    the writer, the one serial stage of the heartbeat path, only writes."""

    kiosk_id: str
    received_at: datetime
    sequence: int
    payload: EncodedJSON

    @classmethod
    def of(cls, kiosk_id: str, received_at: datetime, beat: wire.Heartbeat) -> Ping:
        return cls(kiosk_id, received_at, beat.sequence, EncodedJSON(beat.model_dump_json()))


def write_heartbeats(connection: Connection, pings: list[Ping], settings: CentralSettings) -> None:
    """Pings that arrived together, in one transaction the caller commits: a history row
    each, each kiosk's newest state (the later ping wins, as if written one by one), and the
    amortised history trim. Rows are touched in kiosk order, so two processes writing at once
    on PostgreSQL lock them in the same order and cannot deadlock."""
    rows = [
        {
            "kiosk_id": ping.kiosk_id,
            "received_at": ping.received_at,
            "sequence": ping.sequence,
            "payload": ping.payload,
        }
        for ping in pings
    ]
    _ADD_HISTORY.run(connection, rows)
    newest = {row["kiosk_id"]: row for row in rows}
    states = [
        {
            "kiosk_id": kiosk_id,
            "last_seen_at": row["received_at"],
            "sequence": row["sequence"],
            "payload": row["payload"],
        }
        for kiosk_id, row in sorted(newest.items())
    ]
    _UPSERT_STATE.run(connection, states)
    keep = settings.heartbeat_history
    for kiosk_id in sorted({p.kiosk_id for p in pings if _trim_due(p, keep)}):
        _prune_history(connection, kiosk_id, keep)


_ADD_HISTORY = BulkInsert(HeartbeatRecord, ("kiosk_id", "received_at", "sequence", "payload"))
# One statement instead of read-then-write: the newest ping per kiosk.
_UPSERT_STATE = BulkInsert(
    KioskState,
    ("kiosk_id", "last_seen_at", "sequence", "payload"),
    tail="ON CONFLICT (kiosk_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, "
    "sequence = excluded.sequence, payload = excluded.payload",
)
_OLDEST_KEPT = (
    select(HeartbeatRecord.id)
    .where(HeartbeatRecord.kiosk_id == bindparam("kiosk_id"))
    .order_by(HeartbeatRecord.id.desc())
    .offset(bindparam("skip"))
    .limit(1)
)
_TRIM_HISTORY = delete(HeartbeatRecord).where(
    HeartbeatRecord.kiosk_id == bindparam("kiosk_id"), HeartbeatRecord.id < bindparam("oldest")
)


def _trim_due(ping: Ping, keep: int) -> bool:
    """Every ``keep`` pings per kiosk, at a point of the cycle set by the kiosk id: kiosks whose
    sequences run in step (a fleet started together) still trim at different times, instead
    of all in one transaction that holds up every heartbeat behind it."""
    return (ping.sequence + zlib.crc32(ping.kiosk_id.encode())) % keep == 0


def _prune_history(connection: Connection, kiosk_id: str, keep: int) -> None:
    """Amortised: runs once every ``keep`` pings and trims back to the newest ``keep``."""
    oldest_kept = connection.scalar(_OLDEST_KEPT, {"kiosk_id": kiosk_id, "skip": keep - 1})
    if oldest_kept is not None:
        connection.execute(_TRIM_HISTORY, {"kiosk_id": kiosk_id, "oldest": oldest_kept})


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


def fleet(db: Session, now: datetime, settings: CentralSettings) -> wire.Fleet:
    rows = db.execute(
        select(Kiosk, KioskState, AgentState)
        .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
        .outerjoin(AgentState, AgentState.kiosk_id == Kiosk.id)
        .order_by(Kiosk.id)
    ).all()
    kiosks = []
    counts = dict.fromkeys(wire.Liveness, 0)
    for kiosk, state, agent in rows:
        heartbeat_at = state.last_seen_at if state else None
        agent_at = agent.received_at if agent else None
        report = _stored_agent_report(kiosk.id, agent.payload) if agent else None
        status = kiosk_liveness(heartbeat_at, agent_at, report, now, settings)
        counts[status] += 1
        kiosks.append(
            wire.FleetKiosk(
                kiosk_id=kiosk.id,
                office=office_wire(kiosk.office),
                liveness=status,
                last_seen_at=max((t for t in (heartbeat_at, agent_at) if t), default=None),
                revoked=kiosk.revoked_at is not None,
                heartbeat=_stored_heartbeat(kiosk.id, state.payload) if state else None,
                agent=report,
            )
        )
    return wire.Fleet(
        generated_at=now,
        heartbeat_period_s=settings.heartbeat_period_s,
        counts=counts,
        kiosks=kiosks,
    )
