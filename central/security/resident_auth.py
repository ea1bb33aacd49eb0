"""Who is calling, part two: a resident signed in on a kiosk, by a live session or by the
submission grant their sign-in gave the kiosk's outbox (docs/DESIGN.md, "Submission grants")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from central.context import CentralContext, get_context, get_db
from central.contract import signing
from central.errors import ApiError, unauthorized
from central.models import Resident, ResidentSession
from central.security.callers import SignedKiosk
from central.security.kiosk_auth import KioskDep
from central.security.security import open_grant, token_hash


def session_expired() -> ApiError:
    return unauthorized(
        "session_expired",
        "Sesi berakhir. Silakan masuk lagi.",
        "The session has ended. Please sign in again.",
    )


@dataclass(frozen=True)
class ResidentContext:
    kiosk: SignedKiosk
    session: ResidentSession


def _resident_session(
    kiosk: KioskDep,
    ctx: Annotated[CentralContext, Depends(get_context)],
    db: Annotated[Session, Depends(get_db)],
    token: Annotated[str | None, Header(alias=signing.HEADER_SESSION)] = None,
) -> ResidentContext:
    expired = session_expired()
    if not token:
        raise expired
    session = db.get(ResidentSession, token_hash(token))
    now = ctx.clock.now()
    idle = timedelta(seconds=ctx.settings.resident_idle_timeout_s)
    if (
        session is None
        or session.kiosk_id != kiosk.id
        or session.ended_at is not None
        or now - session.last_seen_at > idle
    ):
        raise expired
    session.last_seen_at = now
    db.commit()
    return ResidentContext(kiosk=kiosk, session=session)


def resident_allowing_pin_change(
    resident: Annotated[ResidentContext, Depends(_resident_session)],
) -> ResidentContext:
    """For the PIN-change and logout calls, which a first-login session may make."""
    return resident


def active_resident(
    resident: Annotated[ResidentContext, Depends(_resident_session)],
) -> ResidentContext:
    """Every other resident call: refused until the first-login PIN change is done."""
    if resident.session.resident.must_change_pin:
        raise ApiError(
            403,
            "pin_change_required",
            "Ganti PIN Anda terlebih dahulu.",
            "Change your PIN first.",
        )
    return resident


@dataclass(frozen=True)
class Submitter:
    """Who a submission is for: from a live session, or from the submission grant the
    resident's sign-in gave the kiosk, so its outbox can deliver after the session ended."""

    kiosk: SignedKiosk
    resident: Resident


def submitting_resident(
    kiosk: KioskDep,
    ctx: Annotated[CentralContext, Depends(get_context)],
    db: Annotated[Session, Depends(get_db)],
    token: Annotated[str | None, Header(alias=signing.HEADER_SESSION)] = None,
    grant: Annotated[str | None, Header(alias=signing.HEADER_GRANT)] = None,
) -> Submitter:
    if token:
        resident = active_resident(_resident_session(kiosk, ctx, db, token))
        return Submitter(kiosk=kiosk, resident=resident.session.resident)
    return Submitter(kiosk=kiosk, resident=grant_holder(ctx, db, kiosk, grant))


def grant_holder(
    ctx: CentralContext, db: Session, kiosk: SignedKiosk, grant: str | None
) -> Resident:
    """The resident a submission grant speaks for, if this server sealed it for this kiosk and
    it has not expired; else 401 ``session_expired``. Also used per item by the batch route."""
    opened = open_grant(ctx.identifier_key, grant) if grant else None
    if opened is not None:
        resident_id, kiosk_id, expires_at = opened
        holder = db.get(Resident, resident_id)
        if kiosk_id == kiosk.id and expires_at > ctx.clock.now().timestamp() and holder:
            return holder
    raise session_expired()


SubmitterDep = Annotated[Submitter, Depends(submitting_resident)]
