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
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
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
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
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
