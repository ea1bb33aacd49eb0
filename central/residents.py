"""Resident sign-in at a kiosk: card or NIK, then PIN, with lockout and sessions.

Unknown identifiers take the same path as known ones (same KDF work, same throttle, same
answer), so the kiosk API cannot be used to find out which NIKs or cards exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.callers import SignedKiosk
from central.context import CentralContext
from central.contract import models as wire
from central.errors import ApiError
from central.models import LoginThrottle, Resident, ResidentCard, ResidentSession
from central.security import (
    hash_secret,
    keyed_hash,
    new_token,
    seal_grant,
    token_hash,
    verify_secret,
)
from central.settings import CentralSettings
from common.nik import mask_nik


def _identifier(request: wire.LoginRequest) -> str:
    if request.method == "card" and request.card_uid:
        return f"card:{request.card_uid}"
    if request.method == "nik" and request.nik:
        return f"nik:{request.nik}"
    raise ApiError(
        422,
        "identifier_missing",
        "Tempelkan e-KTP atau masukkan NIK.",
        "Tap the e-KTP or enter the NIK.",
    )


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


def _record_failure(
    db: Session, throttle: LoginThrottle, settings: CentralSettings, now: datetime
) -> ApiError:
    throttle.failures += 1
    if throttle.failures >= settings.pin_lockout_failures:
        lock_s = min(
            settings.pin_lockout_base_s * 2**throttle.lock_count, settings.pin_lockout_max_s
        )
        throttle.locked_until = now + timedelta(seconds=lock_s)
        throttle.lock_count += 1
        throttle.failures = 0
        db.commit()
        return _locked(throttle.locked_until, now)
    remaining = settings.pin_lockout_failures - throttle.failures
    db.commit()
    return ApiError(
        401,
        "invalid_credentials",
        f"NIK/kartu atau PIN salah. Sisa percobaan: {remaining}.",
        f"Wrong NIK/card or PIN. Attempts left: {remaining}.",
        {"attempts_left": remaining},
    )


def login(
    ctx: CentralContext, db: Session, kiosk: SignedKiosk, request: wire.LoginRequest
) -> wire.LoginResponse:
    now = ctx.clock.now()
    key = keyed_hash(ctx.identifier_key, _identifier(request))
    throttle = db.get(LoginThrottle, key)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        raise _locked(throttle.locked_until, now)
    resident = _find_resident(db, request)
    pin_ok = verify_secret(resident.pin_hash if resident else None, request.pin)
    if resident is None or not pin_ok:
        if throttle is None:
            throttle = LoginThrottle(key_hash=key, failures=0, lock_count=0)
            db.add(throttle)
        raise _record_failure(db, throttle, ctx.settings, now)
    if throttle is not None:
        db.delete(throttle)
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
