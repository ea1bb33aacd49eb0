"""The retention job: removes what ``central.privacy.policy`` says has been kept long enough.

Run once a day (``kiosk-central retention run``, the ``anjungan-central-retention.timer``).
Each kind of record has one enforcer; each works in chunks of ``CHUNK`` rows, committed one by
one, so a long backlog never holds the database's write lock for long and a run that stops
half-way has still done what it committed. A second run the same day finds nothing left.

Scans live in the database (DESIGN, "documents"), so "gone from the disk" is the database
file's business: on SQLite the job deletes with ``secure_delete`` on, which overwrites a
deleted row's bytes with zeros, and truncates the WAL afterwards, so an expired scan's bytes
are in neither file; on PostgreSQL it runs VACUUM on the tables it removed rows from, so their
space is reused (docs/backoffice.md says what that does and does not promise). The job
deletes no file of any kind: there is none that the centre wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, Row, String, cast, delete, exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from central.models import (
    Complaint,
    ComplaintReply,
    Document,
    FinishedLetter,
    LetterDocument,
    LetterRequest,
    NotificationOptIn,
    OperatorCredential,
    ResidentSession,
    RetentionRun,
)
from central.privacy import policy
from central.privacy.policy import RecordKind

CHUNK = 500
EMPTY_JSON = "{}"
# The tables a run may free space in (VACUUM on PostgreSQL).
_SCRUBBED_TABLES = (
    "documents",
    "letter_requests",
    "complaints",
    "complaint_replies",
    "resident_sessions",
    "finished_letters",
    "notification_optins",
)

Enforcer = Callable[[Session, datetime], int]
T = TypeVar("T")


def _days(days: int) -> timedelta:
    return timedelta(days=days)


def _in_chunks(db: Session, pick: Callable[[], Sequence[T]], act: Callable[[list[T]], int]) -> int:
    """``act`` on what ``pick`` finds, CHUNK at a time, each chunk committed; the total."""
    total = 0
    while True:
        ids = list(pick())
        if not ids:
            return total
        total += act(ids)
        db.commit()
        if len(ids) < CHUNK:
            return total


def _count(result: Any) -> int:
    """Rows a DELETE or UPDATE touched (``CursorResult.rowcount``)."""
    return int(result.rowcount)


def _unreferenced(document_ids: list[str]) -> list[ColumnElement[bool]]:
    """Conditions for a document no letter request and no complaint refers to any more."""
    return [
        Document.id.in_(document_ids),
        ~exists().where(LetterDocument.document_id == Document.id),
        ~exists().where(Complaint.photo_document_id == Document.id),
    ]


def _delete_orphans(db: Session, document_ids: list[str]) -> int:
    """Deletes those of ``document_ids`` nothing refers to (a scan may serve two requests)."""
    if not document_ids:
        return 0
    return _count(db.execute(delete(Document).where(*_unreferenced(document_ids))))


def unattached_uploads(db: Session, now: datetime) -> int:
    """Uploads no submission ever took, older than a kiosk's outbox could still deliver."""
    cutoff = now - _days(policy.UNATTACHED_UPLOAD_DAYS)

    def pick() -> Sequence[str]:
        return db.scalars(
            select(Document.id)
            .where(
                Document.uploaded_at < cutoff,
                ~exists().where(LetterDocument.document_id == Document.id),
                ~exists().where(Complaint.photo_document_id == Document.id),
            )
            .limit(CHUNK)
        ).all()

    return _in_chunks(db, pick, lambda ids: _delete_orphans(db, ids))


def scans(db: Session, now: datetime) -> int:
    """Scans of requests closed, and photos of complaints resolved, longer than the period."""
    cutoff = now - _days(policy.SCANS_AFTER_CLOSE_DAYS)

    def pick_letter_scans() -> Sequence[Row[int, str, str]]:
        return db.execute(
            select(LetterDocument.request_id, LetterDocument.name, LetterDocument.document_id)
            .join(LetterRequest, LetterRequest.id == LetterDocument.request_id)
            .where(LetterRequest.closed_at < cutoff)
            .limit(CHUNK)
        ).all()

    def drop_letter_scans(rows: list[Row[int, str, str]]) -> int:
        for request_id, name, _document in rows:
            db.execute(
                delete(LetterDocument).where(
                    LetterDocument.request_id == request_id, LetterDocument.name == name
                )
            )
        return _delete_orphans(db, [row[2] for row in rows])

    def pick_photos() -> Sequence[Row[int, str | None]]:
        return db.execute(
            select(Complaint.id, Complaint.photo_document_id)
            .where(
                Complaint.status == "resolved",
                Complaint.updated_at < cutoff,
                Complaint.photo_document_id.is_not(None),
            )
            .limit(CHUNK)
        ).all()

    def drop_photos(rows: list[Row[int, str | None]]) -> int:
        ids = [row[0] for row in rows]
        db.execute(update(Complaint).where(Complaint.id.in_(ids)).values(photo_document_id=None))
        return _delete_orphans(db, [row[1] for row in rows if row[1] is not None])

    return _in_chunks(db, pick_letter_scans, drop_letter_scans) + _in_chunks(
        db, pick_photos, drop_photos
    )


def letter_answers(db: Session, now: datetime) -> int:
    cutoff = now - _days(policy.LETTER_ANSWERS_AFTER_CLOSE_DAYS)
    result = db.execute(
        update(LetterRequest)
        .where(
            LetterRequest.closed_at < cutoff,
            cast(LetterRequest.answers, String) != EMPTY_JSON,
        )
        .values(answers={})
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return _count(result)


def complaints(db: Session, now: datetime) -> int:
    cutoff = now - _days(policy.COMPLAINT_TEXT_AFTER_RESOLVED_DAYS)
    expired = select(Complaint.id).where(
        Complaint.status == "resolved", Complaint.updated_at < cutoff, Complaint.text != ""
    )
    db.execute(
        update(ComplaintReply)
        .where(ComplaintReply.complaint_id.in_(expired), ComplaintReply.text != "")
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    result = db.execute(
        update(Complaint)
        .where(Complaint.id.in_(expired))
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return _count(result)


def sign_in_records(db: Session, now: datetime) -> int:
    """Sessions last used before the period (a session ends at most an idle timeout after
    its last use) and operator tokens expired before it; API keys never expire."""
    cutoff = now - _days(policy.SIGN_IN_RECORDS_DAYS)

    def pick_sessions() -> Sequence[str]:
        return db.scalars(
            select(ResidentSession.token_hash)
            .where(ResidentSession.last_seen_at < cutoff)
            .limit(CHUNK)
        ).all()

    def drop_sessions(ids: list[str]) -> int:
        result = db.execute(delete(ResidentSession).where(ResidentSession.token_hash.in_(ids)))
        return _count(result)

    tokens = db.execute(delete(OperatorCredential).where(OperatorCredential.expires_at < cutoff))
    db.commit()
    return _in_chunks(db, pick_sessions, drop_sessions) + _count(tokens)


def letter_files(db: Session, now: datetime) -> int:
    cutoff = now - _days(policy.LETTER_ARCHIVE_DAYS)
    result = db.execute(
        update(FinishedLetter)
        .where(FinishedLetter.issued_at < cutoff, FinishedLetter.size_bytes > 0)
        .values(content=b"", size_bytes=0)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return _count(result)


def phone_numbers(db: Session, now: datetime) -> int:
    """A resident's opt-in number goes once its request is over: a letter collected or
    cancelled, or a complaint resolved, longer ago than the period (the notifier erases the
    number from each message itself once it is sent or given up)."""
    cutoff = now - _days(policy.PHONE_NUMBER_AFTER_CLOSE_DAYS)
    closed_letters = select(LetterRequest.tracking_code).where(LetterRequest.closed_at < cutoff)
    resolved_complaints = select(Complaint.tracking_code).where(
        Complaint.status == "resolved", Complaint.updated_at < cutoff
    )
    result = db.execute(
        delete(NotificationOptIn).where(
            NotificationOptIn.tracking_code.in_(closed_letters.union(resolved_complaints))
        )
    )
    db.commit()
    return _count(result)


ENFORCERS: dict[RecordKind, Enforcer] = {
    RecordKind.UNATTACHED_UPLOADS: unattached_uploads,
    RecordKind.SCANS: scans,
    RecordKind.LETTER_ANSWERS: letter_answers,
    RecordKind.COMPLAINTS: complaints,
    RecordKind.SIGN_IN_RECORDS: sign_in_records,
    RecordKind.LETTER_FILES: letter_files,
    RecordKind.PHONE_NUMBERS: phone_numbers,
}
# Kinds of record the policy names that no enforcer handles yet (a test keeps this honest).
NOT_YET_ENFORCED: frozenset[RecordKind] = frozenset()


def run(engine: Engine, now: datetime) -> dict[str, int]:
    """One run of every enforcer at ``now``; the counts removed, also kept as a RetentionRun."""
    sqlite = engine.dialect.name == "sqlite"
    removed: dict[str, int] = {}
    with engine.connect() as connection:
        if sqlite:
            # Deleted rows' bytes are overwritten, not left in free pages of the file.
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
            connection.commit()
        try:
            with Session(bind=connection) as db:
                for kind, enforce in ENFORCERS.items():
                    removed[str(kind)] = enforce(db, now)
                db.add(RetentionRun(started_at=now, finished_at=now, removed=removed))
                db.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA secure_delete=OFF")
                connection.commit()
    if any(removed.values()):
        _scrub(engine)
    return removed


def _scrub(engine: Engine) -> None:
    """Make freed space really free: the WAL copied back and emptied (SQLite), or the tables
    vacuumed so their dead rows' space is reused (PostgreSQL)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for table in _SCRUBBED_TABLES:
                connection.exec_driver_sql(f"VACUUM {table}")
