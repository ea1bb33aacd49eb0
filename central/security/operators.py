"""Operators at the centre: accounts, sign-in tokens, API keys, and revoking kiosks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.context import CentralContext
from central.contract import models as wire
from central.errors import ApiError
from central.models import Kiosk, Office, Operator, OperatorCredential
from central.security import audit
from central.security.roles import Role, needs_office
from central.security.security import hash_secret, keyed_hash, new_token, token_hash, verify_secret
from central.security.throttle import Policy, clear, count_attempt
from central.settings import CentralSettings


class OperatorExists(Exception):
    """The username is taken."""


class BadOperatorOffice(ValueError):
    """A village operator without an existing office, or an office given to another role."""


def create_operator(
    db: Session,
    username: str,
    password: str,
    now: datetime,
    role: Role = Role.DISTRICT_ADMIN,
    office_id: str | None = None,
) -> Operator:
    """A village operator belongs to exactly one existing office; the other roles work
    district-wide and have none (an office there would suggest a limit that is not applied)."""
    if needs_office(role):
        if office_id is None:
            raise BadOperatorOffice("a village operator needs --office")
        if db.get(Office, office_id) is None:
            raise BadOperatorOffice(f"no office with id {office_id!r}")
    elif office_id is not None:
        raise BadOperatorOffice(f"a {role.value} works district-wide: give no --office")
    operator = Operator(
        username=username,
        password_hash=hash_secret(password),
        created_at=now,
        role=role.value,
        office_id=office_id,
    )
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


def operator_policies(settings: CentralSettings) -> tuple[Policy, Policy]:
    """Per account, and per source address (many accounts guessed from one place)."""
    account = Policy(
        settings.operator_lockout_failures, settings.pin_lockout_base_s, settings.pin_lockout_max_s
    )
    source = Policy(
        settings.operator_source_failures, settings.pin_lockout_base_s, settings.pin_lockout_max_s
    )
    return account, source


def _locked(until: datetime, now: datetime) -> ApiError:
    wait = max(1, int((until - now).total_seconds() + 0.999))
    return ApiError(
        423,
        "operator_locked",
        f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {wait} detik.",
        f"Too many failed sign-ins. Try again in {wait} seconds.",
        {"retry_after_s": wait},
        headers={"Retry-After": str(wait)},
    )


def authenticate(
    ctx: CentralContext, db: Session, username: str, password: str, source: str
) -> Operator:
    """The operator whose password this is, or an ``ApiError`` (401 wrong, 423 locked).

    Counted before the password is checked, per account and per source address
    (``central.security.throttle``), so neither parallel nor spread-out guessing gets far; unknown
    usernames are counted and answered exactly like real ones. A success clears the
    account's counter only: the address's counter is what stops one valid account from
    being the cover for guessing others. The API's login and the console's sign-in page
    both come through here, so they share one set of counters."""
    now = ctx.clock.now()
    account_policy, source_policy = operator_policies(ctx.settings)
    account_key = keyed_hash(ctx.identifier_key, f"operator:{username}")
    source_key = keyed_hash(ctx.identifier_key, f"operator-source:{source}")
    attempt = count_attempt(
        ctx.sessions, {account_key: account_policy, source_key: source_policy}, now
    )
    if not attempt.check:
        assert attempt.locked_until is not None
        audit.operator_login_failed(account_key, source, "locked")
        raise _locked(attempt.locked_until, now)
    operator = db.scalar(select(Operator).where(Operator.username == username))
    if not verify_secret(operator.password_hash if operator else None, password) or not operator:
        audit.operator_login_failed(account_key, source, "wrong_password")
        if attempt.locked_until is not None:
            raise _locked(attempt.locked_until, now)
        raise ApiError(
            401,
            "operator_login_failed",
            "Nama pengguna atau kata sandi salah.",
            "Wrong username or password.",
        )
    clear(ctx.sessions, [account_key])
    return operator


def login(
    ctx: CentralContext, db: Session, request: wire.OperatorLogin, source: str
) -> wire.OperatorToken:
    """A bearer token for the operator API (see ``authenticate``)."""
    operator = authenticate(ctx, db, request.username, request.password, source)
    now = ctx.clock.now()
    expires_at = now + timedelta(seconds=ctx.settings.operator_token_ttl_s)
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
