"""Resident sign-in at a kiosk: card or NIK, then PIN, with lockout and sessions.

Unknown identifiers take the same path as known ones (same KDF work, same throttle, same
answer), so the kiosk API cannot be used to find out which NIKs or cards exist.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.context import CentralContext
from central.contract import models as wire
from central.errors import ApiError
from central.models import Resident, ResidentCard, ResidentSession
from central.security import audit
from central.security.callers import SignedKiosk
from central.security.security import (
    hash_secret,
    keyed_hash,
    new_token,
    seal_grant,
    token_hash,
    verify_secret,
)
from central.security.throttle import Attempt, Policy, clear, count_attempt
from central.settings import CentralSettings
from common.nik import InvalidNik, check_nik, mask_nik


def _identifier(request: wire.LoginRequest) -> str:
    """The identifier the request names (the model makes sure it is there)."""
    if request.method == "card":
        return f"card:{request.card_uid}"
    assert request.nik is not None
    try:
        check_nik(request.nik)
    except InvalidNik as invalid:  # the rules are public: refusing reveals nothing
        raise ApiError(
            422, "nik_invalid", invalid.message_id, str(invalid), {"rule": invalid.rule.value}
        ) from None
    return f"nik:{request.nik}"


def _find_resident(db: Session, request: wire.LoginRequest) -> Resident | None:
    if request.method == "card":
        card = db.get(ResidentCard, request.card_uid)
        return card.resident if card else None
    return db.scalar(select(Resident).where(Resident.nik == request.nik))


def _locked(until: datetime, now: datetime) -> ApiError:
    wait = max(1, int((until - now).total_seconds() + 0.999))
    return ApiError(
        423,
        "pin_locked",
        f"Terlalu banyak PIN salah. Coba lagi dalam {wait} detik.",
        f"Too many wrong PINs. Try again in {wait} seconds.",
        {"retry_after_s": wait},
        headers={"Retry-After": str(wait)},
    )


def _wrong_pin(attempt: Attempt, now: datetime) -> ApiError:
    if attempt.locked_until is not None:
        return _locked(attempt.locked_until, now)
    remaining = attempt.attempts_left
    return ApiError(
        401,
        "invalid_credentials",
        f"NIK/kartu atau PIN salah. Sisa percobaan: {remaining}.",
        f"Wrong NIK/card or PIN. Attempts left: {remaining}.",
        {"attempts_left": remaining},
    )


def pin_policy(settings: CentralSettings) -> Policy:
    return Policy(
        settings.pin_lockout_failures, settings.pin_lockout_base_s, settings.pin_lockout_max_s
    )


def throttle_key(ctx: CentralContext, identifier: str, resident: Resident | None) -> str:
    """A known resident's NIK and cards share one counter (three wrong PINs in all, not three
    per identifier); an unknown identifier has its own, which behaves the same."""
    subject = f"resident:{resident.id}" if resident is not None else identifier
    return keyed_hash(ctx.identifier_key, subject)


def login(
    ctx: CentralContext, db: Session, kiosk: SignedKiosk, request: wire.LoginRequest
) -> wire.LoginResponse:
    """The attempt is counted before the PIN is checked (``central.security.throttle``), so parallel
    guesses cannot get more than the allowed checks per lock window."""
    now = ctx.clock.now()
    identifier = _identifier(request)
    resident = _find_resident(db, request)
    key = throttle_key(ctx, identifier, resident)
    attempt = count_attempt(ctx.sessions, {key: pin_policy(ctx.settings)}, now)
    if not attempt.check:
        assert attempt.locked_until is not None
        audit.sign_in_failed(kiosk.id, key, "locked", 0)
        raise _locked(attempt.locked_until, now)
    pin_ok = verify_secret(resident.pin_hash if resident else None, request.pin)
    if resident is None or not pin_ok:  # one reason for both: the log is no oracle either
        audit.sign_in_failed(kiosk.id, key, "wrong_pin", attempt.attempts_left)
        raise _wrong_pin(attempt, now)
    clear(ctx.sessions, [key])
    token = new_token()
    db.add(
        ResidentSession(
            token_hash=token_hash(token),
            resident_id=resident.id,
            kiosk_id=kiosk.id,
            created_at=now,
            last_seen_at=now,
        )
    )
    db.commit()
    grant_expiry = int(now.timestamp()) + ctx.settings.submission_grant_ttl_s
    return wire.LoginResponse(
        session_token=token,
        idle_timeout_s=ctx.settings.resident_idle_timeout_s,
        submission_grant=seal_grant(
            ctx.identifier_key, resident_id=resident.id, kiosk_id=kiosk.id, expires_at=grant_expiry
        ),
        must_change_pin=resident.must_change_pin,
        resident=summary(resident),
    )


def summary(resident: Resident) -> wire.ResidentSummary:
    return wire.ResidentSummary(
        name=resident.name, nik_masked=mask_nik(resident.nik), village_id=resident.village_id
    )


def change_pin(
    db: Session, session: ResidentSession, request: wire.PinChangeRequest
) -> wire.PinChanged:
    resident = session.resident
    if not verify_secret(resident.pin_hash, request.current_pin):
        raise ApiError(401, "pin_wrong", "PIN lama salah.", "The current PIN is wrong.")
    if request.new_pin == request.current_pin or len(set(request.new_pin)) == 1:
        raise ApiError(
            422,
            "pin_too_simple",
            "PIN baru harus berbeda dari PIN lama dan tidak boleh satu angka diulang.",
            "The new PIN must differ from the old one and not repeat a single digit.",
        )
    resident.pin_hash = hash_secret(request.new_pin)
    resident.must_change_pin = False
    db.commit()
    return wire.PinChanged(must_change_pin=False)


def end_session(db: Session, session: ResidentSession, now: datetime) -> None:
    session.ended_at = now
    db.commit()
