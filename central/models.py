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
    SmallInteger,
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
    """The latest heartbeat per kiosk, kept by ingest (one upsert per ping): what the fleet
    table and the national summary read, never a scan of history. The facts beside the
    payload (state, paper, faults, backlog, version) let a summary of 83,000 kiosks be one
    SQL aggregate instead of parsing every payload; they are NULL on a row not yet
    rewritten since migration 0006 (until the kiosk's next ping)."""

    __tablename__ = "kiosk_state"

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    app_state: Mapped[str | None] = mapped_column(String(16))
    app_reason: Mapped[str | None] = mapped_column(String(16))
    paper: Mapped[str | None] = mapped_column(String(8))
    faults: Mapped[int | None] = mapped_column(SmallInteger)
    outbox_backlog: Mapped[int | None] = mapped_column(Integer)
    app_version: Mapped[str | None] = mapped_column(String(64))


class HeartbeatRecord(Base):
    """One accepted ping, kept raw for ``history_raw_days`` (docs/central.md, "History and
    scale"): the facts the fleet pages show, not the whole payload (the newest payload is in
    ``kiosk_state``), because 83,000 kiosks ping 120 million times a day.

    On PostgreSQL the table is partitioned by day on ``received_at`` (migration 0006,
    ``central/heartbeats/partitions.py``), so expiry is dropping a day's partition. It has no
    primary key: a partitioned table's would have to include the day, nothing looks a ping
    up by identity, and every index costs the ingest path; the mapper's key is nominal."""

    __tablename__ = "heartbeats"
    __table_args__ = (
        Index("ix_heartbeats_kiosk_received", "kiosk_id", "received_at"),
        Index("ix_heartbeats_received_at", "received_at", postgresql_using="brin"),
        {"postgresql_partition_by": "RANGE (received_at)"},
    )

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(BigInteger)
    app_state: Mapped[str] = mapped_column(String(16))
    app_reason: Mapped[str | None] = mapped_column(String(16))
    paper: Mapped[str | None] = mapped_column(String(8))
    faults: Mapped[int] = mapped_column(SmallInteger)
    outbox_backlog: Mapped[int] = mapped_column(Integer)
    rtt_ms: Mapped[float | None] = mapped_column(Float)
    disk_free_mb: Mapped[int] = mapped_column(Integer)
    device_change: Mapped[bool] = mapped_column(Boolean)

    __mapper_args__ = {"primary_key": [kiosk_id, received_at, sequence]}  # noqa: RUF012


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


# ---------------------------------------------------------------- appliance (issue 14): the
# health agent's reports and re-enrolment tokens.


class AgentState(Base):
    """Each kiosk's newest health-agent report (by when the agent looked), and when the centre
    last heard from the agent at all: the fleet view reads this, never the history."""

    __tablename__ = "kiosk_agent_state"

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class AgentReportRecord(Base):
    """Bounded history of agent reports, reports buffered while offline included; pruned to
    the newest ``heartbeat_history`` rows per kiosk. ``report_id`` makes a resend a no-op."""

    __tablename__ = "agent_reports"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "report_id"),
        Index("ix_agent_reports_kiosk_id_id", "kiosk_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    report_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class RekeyToken(Base):
    """A one-time token that lets an enrolled kiosk replace its key and keep its id (and so
    its history): after a disk swap, a lost key, or a revocation of a kiosk back in hand."""

    __tablename__ = "rekey_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# ---------------------------------------------------------------- heartbeat history (fleet scale)


class HeartbeatHourly(Base):
    """One kiosk's pings in one UTC hour, rolled up from the raw rows by
    ``kiosk-central heartbeats maintain`` once the hour is over, and kept for
    ``history_days``: the uptime timeline and the monthly availability report read these.
    For each numeric fact its minimum, maximum and last value; for the state, the last one
    and how many pings found the kiosk able to serve. Partitioned by day on PostgreSQL,
    like the raw rows."""

    __tablename__ = "heartbeat_hourly"
    __table_args__ = (
        Index("ix_heartbeat_hourly_hour_start", "hour_start", postgresql_using="brin"),
        {"postgresql_partition_by": "RANGE (hour_start)"},
    )

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"), primary_key=True)
    hour_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    pings: Mapped[int] = mapped_column(Integer)
    available_pings: Mapped[int] = mapped_column(Integer)  # app state AVAILABLE or ACTIVE
    device_changes: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_app_state: Mapped[str] = mapped_column(String(16))
    last_app_reason: Mapped[str | None] = mapped_column(String(16))
    last_paper: Mapped[str | None] = mapped_column(String(8))
    faults_min: Mapped[int] = mapped_column(SmallInteger)
    faults_max: Mapped[int] = mapped_column(SmallInteger)
    faults_last: Mapped[int] = mapped_column(SmallInteger)
    outbox_backlog_min: Mapped[int] = mapped_column(Integer)
    outbox_backlog_max: Mapped[int] = mapped_column(Integer)
    outbox_backlog_last: Mapped[int] = mapped_column(Integer)
    rtt_ms_min: Mapped[float | None] = mapped_column(Float)
    rtt_ms_max: Mapped[float | None] = mapped_column(Float)
    rtt_ms_last: Mapped[float | None] = mapped_column(Float)
    disk_free_mb_min: Mapped[int] = mapped_column(Integer)
    disk_free_mb_max: Mapped[int] = mapped_column(Integer)
    disk_free_mb_last: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- public tracking and notifications
# (issue 15 item 4: central/public/, central/notify/)

# An offline slip's reference is looked up on the public page without its office when the QR
# carries none (central/services/tracking.py); these make that an index lookup.
Index("ix_letter_requests_local_ref", LetterRequest.local_ref)
Index("ix_complaints_local_ref", Complaint.local_ref)
Index("ix_bansos_enrollments_local_ref", BansosEnrollment.local_ref)


class NotificationOptIn(Base):
    """A resident's phone number given with a submission, to be told when it moves on.

    ``phone_sealed`` is the number encrypted with AES-GCM under a key derived from the
    centre's secret (central/notify/phones.py); it is never stored or shown in clear."""

    __tablename__ = "notification_optins"

    tracking_code: Mapped[str] = mapped_column(ForeignKey("tracking_codes.code"), primary_key=True)
    phone_sealed: Mapped[bytes] = mapped_column(LargeBinary(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Base):
    """One message to one resident: the durable outbox the notification worker drains.

    Enqueued in the same transaction as the change it reports, once per ``idempotency_key``;
    claimed by one worker at a time (``claim_token`` with a lease); sent with its key so a
    gateway can drop a resend after a worker crash. The sealed number is erased once the
    message is sent or given up."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(96), unique=True)
    tracking_code: Mapped[str] = mapped_column(ForeignKey("tracking_codes.code"), index=True)
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary(128))
    text: Mapped[str] = mapped_column(String(480))
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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


# ---------------------------------------------------------------- project photos (issue 15 item 3)


class ProjectPhoto(Base):
    """A photo of a village project, as the office added it in the back office: decoded,
    downscaled and re-encoded as a JPEG without metadata (``central.backoffice.project_photos``),
    so what is stored and served is bounded and carries no EXIF (a phone's GPS, its owner).
    ``Project.photo_ids`` lists a project's photos in the order the kiosks show them."""

    __tablename__ = "project_photos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
