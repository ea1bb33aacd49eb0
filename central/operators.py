"""Operators at the centre: accounts, sign-in tokens, API keys, and revoking kiosks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.contract import models as wire
from central.errors import ApiError
from central.models import Kiosk, Operator, OperatorCredential
from central.security import hash_secret, new_token, token_hash, verify_secret


class OperatorExists(Exception):
    """The username is taken."""


def create_operator(db: Session, username: str, password: str, now: datetime) -> Operator:
    operator = Operator(username=username, password_hash=hash_secret(password), created_at=now)
    db.add(operator)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise OperatorExists(username) from None
    return operator


def _issue(
    db: Session, operator_id: int, kind: str, now: datetime, expires_at: datetime | None
) -> str:
    secret = new_token()
    db.add(
        OperatorCredential(
            secret_hash=token_hash(secret),
            operator_id=operator_id,
            kind=kind,
            created_at=now,
            expires_at=expires_at,
        )
    )
    db.commit()
    return secret


def create_api_key(db: Session, username: str, now: datetime) -> str:
    operator = db.scalar(select(Operator).where(Operator.username == username))
    if operator is None:
        raise LookupError(username)
    return _issue(db, operator.id, "api_key", now, None)


def login(
    db: Session, request: wire.OperatorLogin, now: datetime, ttl_s: int
) -> wire.OperatorToken:
    operator = db.scalar(select(Operator).where(Operator.username == request.username))
    if (
        not verify_secret(operator.password_hash if operator else None, request.password)
        or not operator
    ):
        raise ApiError(
            401,
            "operator_login_failed",
            "Nama pengguna atau kata sandi salah.",
            "Wrong username or password.",
        )
    expires_at = now + timedelta(seconds=ttl_s)
    token = _issue(db, operator.id, "session", now, expires_at)
    return wire.OperatorToken(access_token=token, expires_at=expires_at)


def revoke_kiosk(db: Session, kiosk_id: str, now: datetime) -> wire.KioskRevoked:
    kiosk = db.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ApiError(404, "kiosk_unknown", "Kios tidak ditemukan.", "No kiosk with that id.")
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now
        db.commit()
    assert kiosk.revoked_at is not None
    return wire.KioskRevoked(kiosk_id=kiosk.id, revoked_at=kiosk.revoked_at)
