"""The notification outbox on the database: enqueue, claim, finish.

Exactly one worker holds a message at a time. A claim is a compare-and-set (``UPDATE … WHERE
id = ? AND <still claimable>``): on PostgreSQL the second of two racing updates waits for the
first and re-checks the condition, on SQLite writers take turns, so on both exactly one
update matches. The claim carries a fresh token and a lease; finishing checks the token, so a
worker that outlived its lease (and whose message another worker took over) changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.db import transaction
from central.models import Notification

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
_ERROR_LENGTH = 200


@dataclass(frozen=True)
class Claimed:
    id: int
    token: str
    key: str
    phone_sealed: bytes
    text: str
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_s: int
    max_s: int

    def delay(self, attempts: int) -> timedelta:
        """After the ``attempts``-th failed try: base, 2×base, 4×base, … up to max."""
        return timedelta(seconds=min(self.max_s, self.base_s * 2 ** max(0, attempts - 1)))


def enqueue(
    db: Session, *, key: str, tracking_code: str, phone_sealed: bytes, text: str, now: datetime
) -> bool:
    """Add a message unless one with ``key`` exists; in the caller's transaction (a savepoint
    keeps a duplicate from spoiling it). True when added."""
    if db.scalar(select(Notification.id).where(Notification.idempotency_key == key)):
        return False
    try:
        with db.begin_nested():
            db.add(
                Notification(
                    idempotency_key=key,
                    tracking_code=tracking_code,
                    phone_sealed=phone_sealed,
                    text=text,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:  # the same change reported twice at once
        return False
    return True


def _claimable(now: datetime) -> Any:
    return or_(
        and_(Notification.status == PENDING, Notification.next_attempt_at <= now),
        and_(Notification.status == SENDING, Notification.lease_until < now),
    )


def claim(
    sessions: sessionmaker[Session], now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Up to ``limit`` due messages, each now held by the caller alone until ``now + lease``."""
    with sessions() as db:
        candidates = db.scalars(
            select(Notification.id)
            .where(_claimable(now))
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        ).all()
    held: list[Claimed] = []
    for message_id in candidates:
        token = secrets.token_hex(16)
        with transaction(sessions) as db:
            result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
                update(Notification)
                .where(Notification.id == message_id, _claimable(now))
                .values(
                    status=SENDING,
                    claim_token=token,
                    lease_until=now + lease,
                    attempts=Notification.attempts + 1,
                )
            )
            if result.rowcount != 1:
                continue  # another worker took it first
            row = db.get(Notification, message_id)
            assert row is not None and row.phone_sealed is not None
            held.append(
                Claimed(
                    row.id, token, row.idempotency_key, row.phone_sealed, row.text, row.attempts
                )
            )
    return held


def finish(
    sessions: sessionmaker[Session],
    message: Claimed,
    outcome: str,
    detail: str,
    now: datetime,
    policy: RetryPolicy,
) -> str | None:
    """Record what became of a claimed message: its new status, or None if the claim was
    lost meanwhile (nothing changed). A message sent or given up keeps no phone number."""
    if outcome == "sent":
        values: dict[str, Any] = {"status": SENT, "sent_at": now, "phone_sealed": None}
    elif outcome == "retry" and message.attempts < policy.max_attempts:
        values = {"status": PENDING, "next_attempt_at": now + policy.delay(message.attempts)}
    else:
        values = {"status": FAILED, "phone_sealed": None}
    values.update(claim_token=None, lease_until=None, last_error=detail[:_ERROR_LENGTH] or None)
    with transaction(sessions) as db:
        result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
            update(Notification)
            .where(Notification.id == message.id, Notification.claim_token == message.token)
            .values(**values)
        )
    return str(values["status"]) if result.rowcount == 1 else None
