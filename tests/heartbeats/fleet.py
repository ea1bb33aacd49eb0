"""A made-up fleet written straight into the centre's tables: kiosks as enrollment leaves
them, pings through the heartbeat writer's own ``write_heartbeats``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import BigInteger, Engine, insert, literal, select

from central.db import EncodedJSON
from central.models import HeartbeatRecord, Kiosk, UTCDateTime
from central.services.fleet import _HISTORY_COLUMNS, Ping, write_heartbeats

OFFICE = "35.10.01.2001"  # seeded desa in kecamatan 35.10.01
OTHER_OFFICE = "35.10.02.2001"  # seeded desa in kecamatan 35.10.02

PING = Ping(
    kiosk_id="",
    received_at=datetime.min,
    sequence=0,
    payload=EncodedJSON("{}"),
    app_state="AVAILABLE",
    app_reason=None,
    paper="full",
    faults=0,
    outbox_backlog=0,
    rtt_ms=40.0,
    disk_free_mb=20_000,
    device_change=False,
    app_version="1.0.0",
)


def kiosk_ids(count: int, prefix: str = "KSK-T") -> list[str]:
    return [f"{prefix}{n:05d}" for n in range(count)]


def add_kiosks(
    engine: Engine, ids: Iterable[str], enrolled_at: datetime, office_id: str = OFFICE
) -> None:
    rows: list[dict[str, object]] = [
        {
            "id": kiosk_id,
            "office_id": office_id,
            "public_key": hashlib.sha256(kiosk_id.encode()).digest(),
            "hardware": {},
            "enrolled_at": enrolled_at,
            "revoked_at": None,
        }
        for kiosk_id in ids
    ]
    with engine.begin() as connection:
        connection.execute(insert(Kiosk), rows)


def ping(kiosk_id: str, at: datetime, sequence: int, **facts: object) -> Ping:
    return replace(PING, kiosk_id=kiosk_id, received_at=at, sequence=sequence, **facts)  # type: ignore[arg-type]


def ping_all(engine: Engine, prefix: str, at: datetime, sequence: int) -> None:
    """Every kiosk whose id starts with ``prefix`` pings at ``at``: one INSERT ... SELECT, so
    that a test can simulate months of a large fleet in seconds. History rows only (the
    latest state is the writer's business, tested through it)."""
    columns = [c for c in _HISTORY_COLUMNS if c not in ("kiosk_id", "received_at", "sequence")]
    values = [
        literal(getattr(PING, name), HeartbeatRecord.__table__.c[name].type) for name in columns
    ]
    chosen = select(
        Kiosk.id,
        literal(at, UTCDateTime()),
        literal(sequence, BigInteger()),
        *values,
    ).where(Kiosk.id.like(f"{prefix}%"))
    with engine.begin() as connection:
        connection.execute(
            insert(HeartbeatRecord).from_select(
                ["kiosk_id", "received_at", "sequence", *columns], chosen
            )
        )


def write(engine: Engine, pings: list[Ping]) -> None:
    """In transactions of at most a few thousand pings, as group commits are."""
    for start in range(0, len(pings), 5000):
        with engine.begin() as connection:
            write_heartbeats(connection, pings[start : start + 5000])
