"""The centre's tables (SQLAlchemy 2 typed ORM). Alembic migrations mirror these exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("offices.id"), index=True)


class Setting(Base):
    """Server-side secrets and flags made at first start (e.g. the identifier-hash key)."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class EnrollmentToken(Base):
    __tablename__ = "enrollment_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kiosk_id: Mapped[str | None] = mapped_column(String(32))


class Kiosk(Base):
    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    hardware: Mapped[dict[str, Any]] = mapped_column(JSON)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    office: Mapped[Office] = relationship(lazy="joined")


class UsedNonce(Base):
    """Nonces seen inside the clock-skew window; a second sighting is a replay."""

    __tablename__ = "used_nonces"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    sex: Mapped[str] = mapped_column(String(1))
    birth_place: Mapped[str] = mapped_column(String(64))
    birth_date: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(255))
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    village_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    family_card_no: Mapped[str] = mapped_column(String(16), index=True)
    pin_hash: Mapped[str] = mapped_column(String(128))
    must_change_pin: Mapped[bool] = mapped_column(Boolean, default=True)

    cards: Mapped[list[ResidentCard]] = relationship(back_populates="resident")


class ResidentCard(Base):
    __tablename__ = "resident_cards"

    uid_hex: Mapped[str] = mapped_column(String(20), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)

    resident: Mapped[Resident] = relationship(back_populates="cards")


class LoginThrottle(Base):
    """Failed-PIN state per identifier, keyed by a keyed hash so unknown NIKs and cards lock
    exactly like real ones (the answer never tells which exist)."""

    __tablename__ = "login_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    lock_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ResidentSession(Base):
    __tablename__ = "resident_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resident: Mapped[Resident] = relationship(lazy="joined")


class Service(Base):
    """A service definition; ``spec`` holds its form fields and documents (contract shapes)."""

    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    label_id: Mapped[str] = mapped_column(String(128))
    label_en: Mapped[str] = mapped_column(String(128))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)


class OfficeService(Base):
    __tablename__ = "office_services"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)


class KioskState(Base):
    """The latest heartbeat per kiosk, read by the fleet view."""

    __tablename__ = "kiosk_state"

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class HeartbeatRecord(Base):
    """Bounded history: pruned to the newest ``heartbeat_history`` rows per kiosk."""

    __tablename__ = "heartbeats"
    __table_args__ = (Index("ix_heartbeats_kiosk_received", "kiosk_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The console's roles (central/console/roles.py); accounts made before roles existed
    # keep the full powers they had.
    role: Mapped[str] = mapped_column(String(24), server_default="district_admin")
    office_id: Mapped[str | None] = mapped_column(ForeignKey("offices.id"))


class OperatorCredential(Base):
    """A bearer token from an operator login (expires) or a long-lived API key (no expiry)."""

    __tablename__ = "operator_credentials"

    secret_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyRecord(Base):
    """The first answer to a POST with an Idempotency-Key, encrypted with a key derived from
    the Idempotency-Key itself: a leaked database does not reveal answers (session tokens)."""

    __tablename__ = "idempotency"

    lookup_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    sealed_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# ---------------------------------------------------------------- citizen services


class Document(Base):
    """An uploaded scan or photo. The bytes live in the row for the reference server (one
    transaction, one backup); production would keep them in object storage."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TrackingCode(Base):
    """Every tracking code ever issued, whatever it tracks: one table keeps them unique."""

    __tablename__ = "tracking_codes"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))


class LetterRequest(Base):
    __tablename__ = "letter_requests"
    __table_args__ = (UniqueConstraint("kiosk_id", "local_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(ForeignKey("tracking_codes.code"), unique=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    local_ref: Mapped[str] = mapped_column(String(64))
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[int] = mapped_column(Integer, index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When it was collected or cancelled: the retention periods run from here.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    service: Mapped[Service] = relationship(lazy="joined")
    resident: Mapped[Resident] = relationship(lazy="joined")
    documents: Mapped[list[LetterDocument]] = relationship(
        order_by="LetterDocument.name", lazy="selectin"
    )
    history: Mapped[list[LetterStatusChange]] = relationship(
        order_by="LetterStatusChange.id", lazy="selectin"
    )


class LetterDocument(Base):
    __tablename__ = "letter_documents"

    request_id: Mapped[int] = mapped_column(ForeignKey("letter_requests.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)


class LetterStatusChange(Base):
    __tablename__ = "letter_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_requests.id"), index=True)
    status: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class QueueTicket(Base):
    """Numbers run per office, counter and day (WIB); ``seq`` 1 prints as 'A-001'."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        UniqueConstraint("office_id", "day", "counter", "seq"),
        UniqueConstraint("kiosk_id", "local_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    day: Mapped[date] = mapped_column(Date)
    counter: Mapped[str] = mapped_column(String(1))
    seq: Mapped[int] = mapped_column(Integer)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    local_ref: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BansosProgram(Base):
    __tablename__ = "bansos_programs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    cluster: Mapped[str] = mapped_column(String(32))
    open_for_applications: Mapped[bool] = mapped_column(Boolean)


class BansosEnrollment(Base):
    """A resident in a program: seeded from the social registry, or applied for at a kiosk
    (then ``pending`` with a tracking code).

    ``holding_cluster`` is the program's cluster while the enrollment is active or pending and
    NULL once it ended; the unique constraint on it makes "one program per cluster per NIK" a
    database rule that two concurrent applications cannot both slip past."""

    __tablename__ = "bansos_enrollments"
    __table_args__ = (
        UniqueConstraint("resident_id", "holding_cluster"),
        UniqueConstraint("kiosk_id", "local_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("bansos_programs.id"))
    status: Mapped[str] = mapped_column(String(8))
    holding_cluster: Mapped[str | None] = mapped_column(String(32))
    since: Mapped[date] = mapped_column(Date)
    tracking_code: Mapped[str | None] = mapped_column(
        ForeignKey("tracking_codes.code"), unique=True
    )
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.id"))
    local_ref: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    program: Mapped[BansosProgram] = relationship(lazy="joined")


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (UniqueConstraint("kiosk_id", "local_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(ForeignKey("tracking_codes.code"), unique=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    local_ref: Mapped[str] = mapped_column(String(64))
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    photo_document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BudgetLine(Base):
    """APBDes: one sector of one office's budget for one year, planned against realised."""

    __tablename__ = "budget_lines"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sector_id: Mapped[str] = mapped_column(String(128))
    sector_en: Mapped[str] = mapped_column(String(128))
    planned: Mapped[int] = mapped_column(BigInteger)
    realised: Mapped[int] = mapped_column(BigInteger)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    budget: Mapped[int] = mapped_column(BigInteger)
    progress_pct: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    photo_ids: Mapped[list[str]] = mapped_column(JSON)


class Announcement(Base):
    """Published by an office for itself and every office under it (a kabupaten notice
    shows at every village kiosk)."""

    __tablename__ = "announcements"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), index=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_id: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# ---------------------------------------------------------------- console (issue 15 item 1)


class ConsoleSession(Base):
    """A browser signed in to the console. Only the cookie's hash is kept; the session ends
    after ``console_idle_timeout_s`` without a request, at sign-out, or at its absolute
    life (``operator_token_ttl_s``)."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OperatorAuditEntry(Base):
    """Who did what, when, to which record: ids and action names only, never personal data
    (a resident is named by a request's tracking code or row id, not a NIK or name)."""

    __tablename__ = "operator_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    record: Mapped[str | None] = mapped_column(String(128))


class KioskAlert(Base):
    """A fleet problem worth a person's attention (``central/console/alerts.py``): raised once
    by the sweep, acknowledged by an operator, cleared by the sweep when the condition ends.
    ``open_key`` is ``kiosk:kind`` while open and NULL after: its unique index is what keeps
    two sweeps (two processes) from raising the same alert twice."""

    __tablename__ = "kiosk_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(64))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True)


# ---------------------------------------------------------------- back office (issue 15 items 3, 7)


class LetterNumberCounter(Base):
    """The last letter number given by an office in a year. Numbers are taken by one atomic
    upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so two letters finished at the
    same moment never share one."""

    __tablename__ = "letter_number_counters"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class FinishedLetter(Base):
    """The letter a request produced: generated from its type's template or uploaded signed.

    The bytes live in the row like the scans (one transaction, one backup). ``number`` and
    ``verify_code`` stay fixed once given; ``printed_at`` is set when a kiosk prints it."""

    __tablename__ = "finished_letters"
    __table_args__ = (UniqueConstraint("office_id", "year", "seq"),)

    request_id: Mapped[int] = mapped_column(ForeignKey("letter_requests.id"), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(96))
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    source: Mapped[str] = mapped_column(String(10))
    signer_name: Mapped[str] = mapped_column(String(128))
    signer_position: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ComplaintReply(Base):
    """An office's answer to a complaint, shown to the resident; who wrote it is kept."""

    __tablename__ = "complaint_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class BansosReview(Base):
    """A village operator's decision on a bansos application made at a kiosk."""

    __tablename__ = "bansos_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("bansos_enrollments.id"), index=True)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class RetentionRun(Base):
    """One run of the retention job: when, and how many records of each kind it removed
    (counts only; never what they held)."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed: Mapped[dict[str, int]] = mapped_column(JSON)
