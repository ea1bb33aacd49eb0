"""Counting failed secrets (PINs, passwords) so that guessing stops after a few tries.

An attempt is counted *before* its secret is checked, in a short transaction that holds the
counter's row (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the transaction's first statement
is a write, so it takes the database's one write lock). Whatever the concurrency, at most
``Policy.failures`` secrets are checked per window: the attempt that reaches the limit sets
the lock in the same transaction, and every later one is refused without a check. A right
secret clears the counter afterwards (``clear``); a wrong one has nothing left to record.

Counters are keyed by a keyed hash (``security.keyed_hash``) of what is being guessed, so an
unknown identifier gets exactly the counts and lock of a real one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from central.db import transaction
from central.models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    """How many wrong secrets before a lock, and how long locks last (doubling each time)."""

    failures: int
    base_s: int
    max_s: int

    def lock_s(self, lock_count: int) -> int:
        doubled: int = self.base_s << min(lock_count, 32)  # 2**32 locks: the cap long since
        return min(doubled, self.max_s)


@dataclass(frozen=True)
class Attempt:
    """One counted attempt. ``check`` False: refused while locked, the secret must not be
    checked. ``locked_until`` set with ``check`` True: this attempt used the last try, and a
    wrong secret is answered with that lock."""

    check: bool
    attempts_left: int
    locked_until: datetime | None


def _insert_missing(db: Session, keys: Sequence[str]) -> None:
    """Creates the counters that do not exist yet, without a conflict under concurrency."""
    dialect = db.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    rows = [{"key_hash": key, "failures": 0, "lock_count": 0} for key in keys]
    db.execute(
        module.insert(LoginThrottle)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[LoginThrottle.key_hash])
    )


def count_attempt(
    sessions: sessionmaker[Session], limits: Mapping[str, Policy], now: datetime
) -> Attempt:
    """Counts one attempt against every counter in ``limits`` (key → its policy), atomically
    and all or nothing: if any is locked, none is counted and the secret must not be checked.
    See the module docstring."""
    ordered = sorted(limits)  # one lock order for every caller: no deadlock between keys
    with transaction(sessions) as db:
        _insert_missing(db, ordered)  # first statement a write: SQLite's write lock from here
        rows = db.scalars(
            select(LoginThrottle)
            .where(LoginThrottle.key_hash.in_(ordered))
            .order_by(LoginThrottle.key_hash)
            .with_for_update()
        ).all()
        held = [row.locked_until for row in rows if row.locked_until and row.locked_until > now]
        if held:
            return Attempt(check=False, attempts_left=0, locked_until=max(held))
        attempts_left: int | None = None
        locked_until: datetime | None = None
        for row in rows:
            policy = limits[row.key_hash]
            row.failures += 1
            left = policy.failures - row.failures
            if left <= 0:
                row.locked_until = now + timedelta(seconds=policy.lock_s(row.lock_count))
                row.lock_count += 1
                row.failures = 0
                locked_until = max(locked_until or row.locked_until, row.locked_until)
                left = 0
            attempts_left = left if attempts_left is None else min(attempts_left, left)
        return Attempt(check=True, attempts_left=attempts_left or 0, locked_until=locked_until)


def clear(sessions: sessionmaker[Session], keys: Sequence[str]) -> None:
    """After a right secret: its counters start again from nothing."""
    with transaction(sessions) as db:
        db.execute(delete(LoginThrottle).where(LoginThrottle.key_hash.in_(list(keys))))
