"""Binding a kiosk's own key pair to an office with a technician's one-time token."""

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
from central.models import EnrollmentToken, Kiosk, Office
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


def enroll(
    db: Session, request: wire.EnrollmentRequest, now: datetime, heartbeat_period_s: int
) -> wire.EnrollmentResponse:
    public_key = _public_key(request.public_key)
    token = db.scalar(
        select(EnrollmentToken).where(EnrollmentToken.token_hash == token_hash(request.token))
    )
    if token is None:
        raise ApiError(
            401, "token_unknown", "Token pendaftaran tidak dikenal.", "Unknown enrollment token."
        )
    if token.used_at is not None:
        raise _token_used()
    if token.expires_at <= now:
        raise ApiError(
            401,
            "token_expired",
            "Token pendaftaran sudah kedaluwarsa. Minta token baru ke operator.",
            "This enrollment token has expired. Ask an operator for a new one.",
        )
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
        raise ApiError(
            409,
            "public_key_enrolled",
            "Kunci kios ini sudah terdaftar.",
            "This kiosk key is already enrolled.",
        ) from None
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
