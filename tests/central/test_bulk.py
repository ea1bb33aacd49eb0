"""Multi-row INSERTs on the driver (central/heartbeats/bulk.py), on SQLite and PostgreSQL: what
they store
reads back through the ORM exactly as written, conflicts are left out of RETURNING, rows
beyond one statement's parameter limit go in further chunks, and the caller's transaction
owns them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from central.db import make_engine
from central.heartbeats import bulk
from central.heartbeats.bulk import BulkInsert
from central.models import IdempotencyRecord, UsedNonce
from tests.central.conftest import Database

pytestmark = pytest.mark.in_process

CLAIM = BulkInsert(
    UsedNonce,
    ("kiosk_id", "nonce", "seen_at"),
    tail="ON CONFLICT DO NOTHING",
    returning=("kiosk_id", "nonce"),
)
START = datetime(2026, 12, 3, 6, 0, 0, tzinfo=UTC)


@pytest.fixture
def engine(database: Database) -> Engine:
    return make_engine(database.url)


def rows(first: int, count: int) -> list[dict[str, object]]:
    return [
        {
            "kiosk_id": "KSK-BULK",
            "nonce": f"n{n:05d}",
            "seen_at": START + timedelta(microseconds=n * 1_001),  # some with 0 µs
        }
        for n in range(first, first + count)
    ]


def stored(engine: Engine) -> dict[str, datetime]:
    with Session(engine) as session:
        found = session.scalars(select(UsedNonce).where(UsedNonce.kiosk_id == "KSK-BULK"))
        return {row.nonce: row.seen_at for row in found}


def test_rows_read_back_through_the_orm_as_written(engine: Engine) -> None:
    written = rows(0, 5)
    with engine.begin() as connection:
        returned = CLAIM.run(connection, written)
    assert sorted(returned) == [("KSK-BULK", row["nonce"]) for row in written]
    assert stored(engine) == {row["nonce"]: row["seen_at"] for row in written}


def test_conflicting_rows_are_left_out_of_returning(engine: Engine) -> None:
    with engine.begin() as connection:
        CLAIM.run(connection, rows(0, 3))
    later = [dict(row, seen_at=START + timedelta(hours=1)) for row in rows(0, 5)]
    with engine.begin() as connection:
        returned = CLAIM.run(connection, later)
    assert sorted(nonce for _, nonce in returned) == ["n00003", "n00004"]
    assert stored(engine)["n00000"] == START  # the first row stays as it was


def test_rows_beyond_one_statement_go_in_further_chunks(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "MAX_PARAMETERS", 30)  # 10 rows of 3 columns per statement
    with engine.begin() as connection:
        returned = CLAIM.run(connection, rows(0, 25))
    assert len(returned) == 25
    assert len(stored(engine)) == 25


def test_the_rows_belong_to_the_callers_transaction(engine: Engine) -> None:
    with engine.connect() as connection, connection.begin() as transaction:
        CLAIM.run(connection, rows(0, 4))
        transaction.rollback()
    assert stored(engine) == {}


def test_outside_a_transaction_it_refuses_to_run(engine: Engine) -> None:
    """The driver would open a transaction SQLAlchemy knows nothing of, and never commit it."""
    with engine.connect() as connection:
        connection.commit()  # no transaction now
        with pytest.raises(RuntimeError, match="transaction"):
            CLAIM.run(connection, rows(0, 1))


def test_bytes_integers_and_nulls_read_back_as_the_orm_wrote_them(engine: Engine) -> None:
    answers = BulkInsert(
        IdempotencyRecord,
        ("lookup_hash", "request_hash", "status_code", "sealed_body", "created_at"),
        tail="ON CONFLICT DO NOTHING",
        returning=("lookup_hash",),
    )
    written: list[dict[str, Any]] = [
        {
            "lookup_hash": "a" * 64,
            "request_hash": "b" * 64,
            "status_code": 202,
            "sealed_body": bytes(range(256)),
            "created_at": START,
        },
        {
            "lookup_hash": "c" * 64,
            "request_hash": "d" * 64,
            "status_code": None,
            "sealed_body": None,
            "created_at": START,
        },
    ]
    with engine.begin() as connection:
        assert len(answers.run(connection, written)) == 2
    with Session(engine) as session:
        found = {row.lookup_hash: row for row in session.scalars(select(IdempotencyRecord))}
    for row in written:
        record = found[str(row["lookup_hash"])]
        assert (record.status_code, record.sealed_body, record.created_at) == (
            row["status_code"],
            row["sealed_body"],
            row["created_at"],
        )
