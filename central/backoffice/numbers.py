"""Letter numbers: one sequence per office per year, taken atomically.

``next_number`` is a single ``INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING
last`` (both SQLite ≥ 3.35 and PostgreSQL): the row is locked by the statement itself, so two
letters finished at the same moment in two workers get two numbers, and the caller's
transaction holds the number until it commits (a rolled-back letter gives its number back).
``finished_letters`` also has a unique (office, year, seq) constraint as a second guard.
"""

from __future__ import annotations

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from central.models import LetterNumberCounter

# Sequence numbers print with at least this many digits: 007, 123, 1234.
SEQ_DIGITS = 3


def _upsert(dialect: str) -> Insert:
    counter = LetterNumberCounter
    insert = postgresql.insert(counter) if dialect == "postgresql" else sqlite.insert(counter)
    return insert.on_conflict_do_update(
        index_elements=[counter.office_id, counter.year],
        set_={"last": counter.last + 1},
    ).returning(counter.last)


def next_number(db: Session, office_id: str, year: int) -> int:
    """The next sequence number of ``office_id`` in ``year`` (1 for its first letter)."""
    statement = _upsert(db.get_bind().dialect.name).values(office_id=office_id, year=year, last=1)
    seq = db.execute(statement).scalar_one()
    return int(seq)


def letter_number(classification: str, seq: int, office_id: str, year: int) -> str:
    """The number as printed: '401/007/35.10.01.2001/2026' (code/sequence/office/year)."""
    return f"{classification}/{seq:0{SEQ_DIGITS}d}/{office_id}/{year}"
