"""Heartbeat intake and the fleet view computed from it.

Liveness is derived when read, from the newest ping's age, so it clears itself on the next
ping and needs no timer: up within 1.5 periods, late until 3 periods plus grace, then offline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Executable, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from central.callers import SignedKiosk
from central.contract import models as wire
from central.enrollment import office_wire
from central.errors import ApiError
from central.models import HeartbeatRecord, Kiosk, KioskState
from central.settings import CentralSettings


def record_heartbeat(
    db: Session, kiosk: SignedKiosk, beat: wire.Heartbeat, now: datetime, settings: CentralSettings
) -> wire.HeartbeatAck:
    if beat.kiosk_id != kiosk.id:
        raise ApiError(
            403,
            "kiosk_mismatch",
            "Heartbeat atas nama kios lain.",
            "The heartbeat names a different kiosk than the one that signed it.",
        )
    payload = beat.model_dump(mode="json")
    row = {"kiosk_id": kiosk.id, "received_at": now, "sequence": beat.sequence, "payload": payload}
    db.execute(insert(HeartbeatRecord).values(row))
    db.execute(_upsert_state(db, kiosk.id, now, beat.sequence, payload))
    if beat.sequence % settings.heartbeat_history == 0:
        _prune_history(db, kiosk.id, settings.heartbeat_history)
    db.commit()
    return wire.HeartbeatAck(received_at=now, next_in_s=settings.heartbeat_period_s)


def _upsert_state(
    db: Session, kiosk_id: str, now: datetime, sequence: int, payload: dict[str, Any]
) -> Executable:
    """One statement instead of read-then-write: the newest ping per kiosk."""
    dialect = db.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {"last_seen_at": now, "sequence": sequence, "payload": payload}
    return (
        upsert(KioskState)
        .values(kiosk_id=kiosk_id, **values)
        .on_conflict_do_update(index_elements=[KioskState.kiosk_id], set_=values)
    )


def _prune_history(db: Session, kiosk_id: str, keep: int) -> None:
    """Amortised: runs once every ``keep`` pings and trims back to the newest ``keep``."""
    oldest_kept = db.scalar(
        select(HeartbeatRecord.id)
        .where(HeartbeatRecord.kiosk_id == kiosk_id)
        .order_by(HeartbeatRecord.id.desc())
        .offset(keep - 1)
        .limit(1)
    )
    if oldest_kept is not None:
        db.execute(
            delete(HeartbeatRecord).where(
                HeartbeatRecord.kiosk_id == kiosk_id, HeartbeatRecord.id < oldest_kept
            )
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


def fleet(db: Session, now: datetime, settings: CentralSettings) -> wire.Fleet:
    rows = db.execute(
        select(Kiosk, KioskState)
        .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
        .order_by(Kiosk.id)
    ).all()
    kiosks = []
    counts = dict.fromkeys(wire.Liveness, 0)
    for kiosk, state in rows:
        status = liveness(state.last_seen_at if state else None, now, settings)
        counts[status] += 1
        kiosks.append(
            wire.FleetKiosk(
                kiosk_id=kiosk.id,
                office=office_wire(kiosk.office),
                liveness=status,
                last_seen_at=state.last_seen_at if state else None,
                revoked=kiosk.revoked_at is not None,
                heartbeat=wire.Heartbeat.model_validate(state.payload) if state else None,
            )
        )
    return wire.Fleet(
        generated_at=now,
        heartbeat_period_s=settings.heartbeat_period_s,
        counts=counts,
        kiosks=kiosks,
    )
