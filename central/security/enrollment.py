"""Binding a kiosk's own key pair to an office with a technician's one-time token, and replacing
an enrolled kiosk's key with a re-key token bound to that kiosk (same id, same history).

Both kinds of token go to the same route (``POST /v1/enrollments``): the kiosk does the same
thing either way, and which one it holds decides whether it becomes a new kiosk or stays the
one it was."""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.contract import models as wire
from central.errors import ApiError
from central.models import EnrollmentToken, Kiosk, Office, RekeyToken
from central.security.security import new_token, token_hash

_KIOSK_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_kiosk_id() -> str:
    return "KSK-" + "".join(secrets.choice(_KIOSK_ID_ALPHABET) for _ in range(8))


def office_wire(office: Office) -> wire.Office:
    return wire.Office(
        id=office.id,
        name=office.name,
        kind=wire.OfficeKind(office.kind),
        parent_id=office.parent_id,
    )


def create_token(
    db: Session, office_id: str, ttl_s: int, now: datetime
) -> wire.EnrollmentTokenCreated:
    if db.get(Office, office_id) is None:
        raise ApiError(404, "office_unknown", "Kantor tidak ditemukan.", "No office with that id.")
    token = new_token(24)
    expires_at = now + timedelta(seconds=ttl_s)
    db.add(
        EnrollmentToken(
            token_hash=token_hash(token), office_id=office_id, created_at=now, expires_at=expires_at
        )
    )
    db.commit()
    return wire.EnrollmentTokenCreated(token=token, office_id=office_id, expires_at=expires_at)


def create_rekey_token(
    db: Session, kiosk_id: str, ttl_s: int, now: datetime
) -> wire.RekeyTokenCreated:
    """A one-time token that lets kiosk ``kiosk_id`` replace its key and keep its id."""
    if db.get(Kiosk, kiosk_id) is None:
        raise ApiError(404, "kiosk_unknown", "Kios tidak ditemukan.", "No kiosk with that id.")
    token = new_token(24)
    expires_at = now + timedelta(seconds=ttl_s)
    db.add(
        RekeyToken(
            token_hash=token_hash(token), kiosk_id=kiosk_id, created_at=now, expires_at=expires_at
        )
    )
    db.commit()
    return wire.RekeyTokenCreated(token=token, kiosk_id=kiosk_id, expires_at=expires_at)


def _public_key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ApiError(
            422,
            "public_key_invalid",
            "Kunci publik kios tidak valid.",
            "The kiosk public key is not a base64 Ed25519 key.",
        ) from None
    return raw


def _token_used() -> ApiError:
    return ApiError(
        409,
        "token_used",
        "Token pendaftaran sudah dipakai. Minta token baru ke operator.",
        "This enrollment token was already used. Ask an operator for a new one.",
    )


def _key_enrolled() -> ApiError:
    return ApiError(
        409,
        "public_key_enrolled",
        "Kunci kios ini sudah terdaftar.",
        "This kiosk key is already enrolled.",
    )


def _check_usable(token: EnrollmentToken | RekeyToken, now: datetime) -> None:
    if token.used_at is not None:
        raise _token_used()
    if token.expires_at <= now:
        raise ApiError(
            401,
            "token_expired",
            "Token pendaftaran sudah kedaluwarsa. Minta token baru ke operator.",
            "This enrollment token has expired. Ask an operator for a new one.",
        )


def enroll(
    db: Session, request: wire.EnrollmentRequest, now: datetime, heartbeat_period_s: int
) -> wire.EnrollmentResponse:
    public_key = _public_key(request.public_key)
    digest = token_hash(request.token)
    token = db.scalar(select(EnrollmentToken).where(EnrollmentToken.token_hash == digest))
    if token is None:
        rekey = db.scalar(select(RekeyToken).where(RekeyToken.token_hash == digest))
        if rekey is not None:
            return _rekey(db, rekey, public_key, request, now, heartbeat_period_s)
        raise ApiError(
            401, "token_unknown", "Token pendaftaran tidak dikenal.", "Unknown enrollment token."
        )
    _check_usable(token, now)
    kiosk = Kiosk(
        id=new_kiosk_id(),
        office_id=token.office_id,
        public_key=public_key,
        hardware=request.hardware.model_dump(mode="json"),
        enrolled_at=now,
    )
    db.add(kiosk)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise _key_enrolled() from None
    claimed: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(EnrollmentToken)
        .where(EnrollmentToken.id == token.id, EnrollmentToken.used_at.is_(None))
        .values(used_at=now, kiosk_id=kiosk.id)
    )
    if claimed.rowcount != 1:  # another enrollment took the token a moment ago
        db.rollback()
        raise _token_used()
    db.commit()
    office = db.get(Office, token.office_id)
    assert office is not None
    return wire.EnrollmentResponse(
        kiosk_id=kiosk.id, office=office_wire(office), heartbeat_period_s=heartbeat_period_s
    )


def _rekey(
    db: Session,
    token: RekeyToken,
    public_key: bytes,
    request: wire.EnrollmentRequest,
    now: datetime,
    heartbeat_period_s: int,
) -> wire.EnrollmentResponse:
    """The kiosk named by the token takes the new key (and hardware summary); its id, office,
    heartbeats and submissions stay. A revocation is lifted: whoever held the old key (a thief)
    can no longer sign, and the operator who made the token vouched for the new one. Every
    centre process stops accepting the old key from its next request
    (``kiosk_auth.refused_kiosks`` compares the key with the one in the database)."""
    _check_usable(token, now)
    claimed: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(RekeyToken)
        .where(RekeyToken.id == token.id, RekeyToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # another re-key took the token a moment ago
        db.rollback()
        raise _token_used()
    kiosk = db.get(Kiosk, token.kiosk_id)
    assert kiosk is not None  # a foreign key: the token cannot outlive its kiosk
    kiosk.public_key = public_key
    kiosk.hardware = request.hardware.model_dump(mode="json")
    kiosk.revoked_at = None
    try:
        db.flush()
    except IntegrityError:  # the new key is another kiosk's
        db.rollback()
        raise _key_enrolled() from None
    db.commit()
    return wire.EnrollmentResponse(
        kiosk_id=kiosk.id, office=office_wire(kiosk.office), heartbeat_period_s=heartbeat_period_s
    )
