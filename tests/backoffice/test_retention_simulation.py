"""Item 7's acceptance test: 90 simulated days of a 1,000-kiosk fleet's records, the retention
job run every night on a manual clock, end with exactly the row counts the policy promises;
expired scans are gone from the database and (SQLite) from the database's files on disk.

The expected counts are worked out here from each record's own dates and the policy's
periods, independently of how the job finds them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from central.contract.services import COMPLAINT_CATEGORIES, LetterStatus
from central.db import make_engine
from central.models import (
    Complaint,
    Document,
    Kiosk,
    LetterDocument,
    LetterRequest,
    Office,
    Operator,
    OperatorCredential,
    Resident,
    ResidentSession,
    RetentionRun,
    TrackingCode,
)
from central.privacy import policy, retention
from tests.central.conftest import Database

KIOSKS = 1_000
DAYS = 90
LETTERS_PER_DAY = 20
COMPLAINTS_PER_DAY = 5
UNATTACHED_PER_DAY = 6
SCANS_PER_LETTER = 2
CANCEL_AFTER_DAYS = 2
COLLECT_AFTER_DAYS = 5
RESOLVE_AFTER_DAYS = 3
TOKEN_LIFE = timedelta(hours=8)
SCAN_FILLER_BYTES = 1_500
START = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 10:00 WIB
NIGHTLY = timedelta(hours=16)  # the job runs at 02:00 WIB the next night
MARKER = b"SCANMARK-"


@dataclass
class Ledger:
    """What the simulation made, with the dates the policy's periods run from."""

    scans: dict[str, datetime | None] = field(default_factory=dict)  # id -> closed (None: open)
    unattached: dict[str, datetime] = field(default_factory=dict)  # id -> uploaded
    sessions: list[datetime] = field(default_factory=list)  # last seen
    tokens: list[datetime] = field(default_factory=list)  # expires
    requests: int = 0
    closings: list[tuple[datetime, int, LetterStatus]] = field(default_factory=list)
    resolutions: list[tuple[datetime, int]] = field(default_factory=list)


def _scan(doc_id: str) -> bytes:
    return MARKER + doc_id.encode() + b"-" + secrets.token_bytes(SCAN_FILLER_BYTES)


class Fleet:
    """Writes a day's records in a few multi-row INSERTs (ids chosen here, so no row needs
    another's generated id)."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.ledger = Ledger()
        villages = db.scalars(select(Office.id).where(Office.kind.in_(["desa", "kelurahan"])))
        self.offices = list(villages)
        self.residents = list(db.scalars(select(Resident.id)))
        self.kiosks = [f"SIM-{n:05d}" for n in range(KIOSKS)]
        db.execute(
            insert(Kiosk),
            [
                {
                    "id": kiosk,
                    "office_id": self._office(n),
                    "public_key": hashlib.sha256(kiosk.encode()).digest(),
                    "hardware": {},
                    "enrolled_at": START,
                }
                for n, kiosk in enumerate(self.kiosks)
            ],
        )
        self.operator = Operator(username="sim", password_hash="x", created_at=START)
        db.add(self.operator)
        db.commit()
        self.next_id = 1 + max(
            db.scalar(select(func.max(LetterRequest.id))) or 0,
            db.scalar(select(func.max(Complaint.id))) or 0,
        )

    def _office(self, n: int) -> str:
        return self.offices[(n % KIOSKS) % len(self.offices)]

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def day(self, number: int) -> None:
        at = START + timedelta(days=number)
        ledger = self.ledger
        documents: list[dict[str, object]] = []
        codes: list[dict[str, object]] = []
        requests: list[dict[str, object]] = []
        attached: list[dict[str, object]] = []
        complaints: list[dict[str, object]] = []

        def document(kiosk_no: int) -> str:
            doc = secrets.token_hex(16)
            documents.append(
                {
                    "id": doc,
                    "kiosk_id": self.kiosks[kiosk_no % KIOSKS],
                    "content_type": "image/jpeg",
                    "size_bytes": SCAN_FILLER_BYTES,
                    "sha256": doc * 2,
                    "content": _scan(doc),
                    "uploaded_at": at,
                }
            )
            return doc

        def code(kind: str) -> str:
            made = "SIM-" + secrets.token_hex(6).upper()
            codes.append({"code": made, "kind": kind})
            return made

        for i in range(LETTERS_PER_DAY):
            n = number * LETTERS_PER_DAY + i
            request_id = self._id()
            scans = [document(n) for _ in range(SCANS_PER_LETTER)]
            requests.append(
                {
                    "id": request_id,
                    "tracking_code": code("letter"),
                    "kiosk_id": self.kiosks[n % KIOSKS],
                    "local_ref": f"sim-{number}-{i}",
                    "office_id": self._office(n),
                    "service_id": "sktm",
                    "resident_id": self.residents[i % len(self.residents)],
                    "answers": {"keperluan": "Beasiswa", "penghasilan": "Rp 500.001 - 1.000.000"},
                    "status": int(LetterStatus.SEDANG_DIPERIKSA),
                    "submitted_at": at,
                    "received_at": at,
                    "closed_at": None,
                }
            )
            attached.extend(
                {"request_id": request_id, "name": name, "document_id": doc}
                for name, doc in zip(("kk", "pengantar_rt"), scans, strict=True)
            )
            ledger.requests += 1
            outcome = i % 4
            if outcome == 0:  # still open at the end
                ledger.scans.update(dict.fromkeys(scans))
                continue
            after, status = (
                (CANCEL_AFTER_DAYS, LetterStatus.DIBATALKAN)
                if outcome == 1
                else (COLLECT_AFTER_DAYS, LetterStatus.SUDAH_DIAMBIL)
            )
            closed = at + timedelta(days=after)
            ledger.closings.append((closed, request_id, status))
            ledger.scans.update(dict.fromkeys(scans, closed))
        for i in range(COMPLAINTS_PER_DAY):
            n = number * COMPLAINTS_PER_DAY + i + 7
            complaint_id = self._id()
            photo = document(n)
            complaints.append(
                {
                    "id": complaint_id,
                    "tracking_code": code("complaint"),
                    "kiosk_id": self.kiosks[n % KIOSKS],
                    "local_ref": f"simc-{number}-{i}",
                    "office_id": self._office(n),
                    "resident_id": self.residents[i % len(self.residents)],
                    "category": COMPLAINT_CATEGORIES[i % len(COMPLAINT_CATEGORIES)],
                    "text": "Lampu jalan di RT 03 mati sejak seminggu.",
                    "photo_document_id": photo,
                    "status": "received",
                    "submitted_at": at,
                    "received_at": at,
                    "updated_at": at,
                }
            )
            if i % 5 == 0:
                ledger.scans[photo] = None
            else:
                resolved = at + timedelta(days=RESOLVE_AFTER_DAYS)
                ledger.resolutions.append((resolved, complaint_id))
                ledger.scans[photo] = resolved
        for _ in range(UNATTACHED_PER_DAY):
            ledger.unattached[document(number)] = at

        db = self.db
        db.execute(insert(Document), documents)
        db.execute(insert(TrackingCode), codes)
        db.execute(insert(LetterRequest), requests)
        db.execute(insert(LetterDocument), attached)
        db.execute(insert(Complaint), complaints)
        db.execute(
            insert(ResidentSession),
            [
                {
                    "token_hash": secrets.token_hex(32),
                    "resident_id": self.residents[k % len(self.residents)],
                    "kiosk_id": kiosk,
                    "created_at": at,
                    "last_seen_at": at,
                }
                for k, kiosk in enumerate(self.kiosks)
            ],
        )
        ledger.sessions.extend([at] * KIOSKS)
        db.execute(
            insert(OperatorCredential),
            [
                {
                    "secret_hash": secrets.token_hex(32),
                    "operator_id": self.operator.id,
                    "kind": "token",
                    "created_at": at,
                    "expires_at": at + TOKEN_LIFE,
                }
            ],
        )
        ledger.tokens.append(at + TOKEN_LIFE)
        self._close_due(at + timedelta(hours=8))
        db.commit()

    def _close_due(self, until: datetime) -> None:
        """Closings and resolutions that happened by ``until`` (the operators' day's work)."""
        due = [c for c in self.ledger.closings if c[0] <= until]
        self.ledger.closings = [c for c in self.ledger.closings if c[0] > until]
        for closed, request_id, status in due:
            self.db.execute(
                update(LetterRequest)
                .where(LetterRequest.id == request_id)
                .values(status=int(status), closed_at=closed)
            )
        resolved = [r for r in self.ledger.resolutions if r[0] <= until]
        self.ledger.resolutions = [r for r in self.ledger.resolutions if r[0] > until]
        for at, complaint_id in resolved:
            self.db.execute(
                update(Complaint)
                .where(Complaint.id == complaint_id)
                .values(status="resolved", updated_at=at)
            )


def _count(db: Session, model: type[object]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _database_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def engine(database: Database) -> Iterator[Engine]:
    made = make_engine(database.url)
    yield made
    made.dispose()


@pytest.mark.slow
def test_ninety_days_of_a_thousand_kiosks_end_as_the_policy_promises(
    database: Database, engine: Engine
) -> None:
    with Session(engine) as db:
        fleet = Fleet(db)
        for number in range(DAYS):
            fleet.day(number)
            removed = retention.run(engine, START + timedelta(days=number) + NIGHTLY)
            assert all(count >= 0 for count in removed.values())
        ledger = fleet.ledger

    end = START + timedelta(days=DAYS - 1) + NIGHTLY
    scans_cutoff = end - timedelta(days=policy.SCANS_AFTER_CLOSE_DAYS)
    kept_scans = {
        d for d, closed in ledger.scans.items() if closed is None or closed >= scans_cutoff
    }
    expired_scans = set(ledger.scans) - kept_scans
    upload_cutoff = end - timedelta(days=policy.UNATTACHED_UPLOAD_DAYS)
    kept_unattached = {d for d, at in ledger.unattached.items() if at >= upload_cutoff}
    expired_unattached = set(ledger.unattached) - kept_unattached
    sign_in_cutoff = end - timedelta(days=policy.SIGN_IN_RECORDS_DAYS)

    with Session(engine) as db:
        documents = set(db.scalars(select(Document.id)))
        assert documents == kept_scans | kept_unattached
        assert _count(db, ResidentSession) == sum(1 for s in ledger.sessions if s >= sign_in_cutoff)
        assert _count(db, OperatorCredential) == sum(
            1 for t in ledger.tokens if t >= sign_in_cutoff
        )
        letter_scans = _count(db, LetterDocument)
        photos = db.scalar(select(func.count()).where(Complaint.photo_document_id.is_not(None)))
        assert letter_scans + (photos or 0) == len(kept_scans)
        # Nothing here is a year old: every request keeps its answers and every row stays.
        assert _count(db, LetterRequest) == ledger.requests
        answered = db.scalar(
            select(func.count()).where(LetterRequest.answers["keperluan"].as_string() != "")
        )
        assert answered == ledger.requests
        assert _count(db, RetentionRun) == DAYS
    assert expired_scans and expired_unattached  # the run really had things to remove

    if engine.dialect.name == "sqlite":
        on_disk = set(re.findall(MARKER + rb"([0-9a-f]{32})", _database_bytes(database.url)))
        assert {d.encode() for d in kept_scans | kept_unattached} <= on_disk
        assert on_disk.isdisjoint(d.encode() for d in expired_scans | expired_unattached)
