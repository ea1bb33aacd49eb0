"""Routes a signed kiosk calls: enrollment, heartbeats, its health agent's reports, catalog,
resident sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from central.context import CentralContext, get_context, get_db
from central.contract import models as wire
from central.errors import ERROR_RESPONSES
from central.heartbeats import agent, ingest
from central.heartbeats.ingest import HeartbeatsDep
from central.public.urls import tracking_url_template
from central.security import enrollment
from central.security.idempotency import IdempotencyDep
from central.security.kiosk_auth import KioskDep, SignedDep
from central.security.resident_auth import (
    ResidentContext,
    active_resident,
    resident_allowing_pin_change,
)
from central.services import catalog, residents

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES)
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]


@router.post(
    "/enrollments", status_code=201, response_model=wire.EnrollmentResponse, tags=["kiosk"]
)
def enroll(
    request: wire.EnrollmentRequest, http: Request, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """A new kiosk presents its public key and a technician's one-time token; the answer
    names the public tracking page its receipts' QR codes open."""
    tracking_url = tracking_url_template(ctx.settings, str(http.base_url))
    return idem.run(
        "enroll",
        201,
        lambda: enrollment.enroll(
            db, request, ctx.clock.now(), ctx.settings.heartbeat_period_s
        ).model_copy(update={"tracking_url": tracking_url}),
        keep_refusals=False,
    )


@router.post("/heartbeats", status_code=202, response_model=wire.HeartbeatAck, tags=["kiosk"])
async def heartbeat(
    beat: wire.Heartbeat, signed: SignedDep, heartbeats: HeartbeatsDep, idem: IdempotencyDep
) -> Response:
    """The kiosk's own state and every peripheral's, once a period and at once on a fault."""
    # The busiest route (every kiosk, every minute): no worker thread, and the write is
    # grouped with the heartbeats arriving at the same time (central/heartbeats/ingest.py). Most
    # heartbeats do not even get here: central/heartbeats/ingest_asgi.py answers them before
    # FastAPI.
    return await ingest.accept(heartbeats, signed, beat, idem.key, idem.request_hash)


@router.post("/agent/reports", status_code=202, response_model=wire.AgentReportsAck, tags=["kiosk"])
def agent_reports(
    delivery: wire.AgentReports, kiosk: KioskDep, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """The kiosk's health agent, a process apart from the app: whether the app is up, and the
    PC's own facts. Sent every minute with what it buffered while the centre was away, so the
    fleet view can tell "PC up, app down" from "offline"."""
    return idem.run(
        kiosk.id,
        202,
        lambda: agent.store_reports(db, kiosk, delivery, ctx.clock.now(), ctx.settings),
    )


@router.get("/catalog", response_model=wire.ServiceCatalog, tags=["kiosk"])
def service_catalog(kiosk: KioskDep, db: Db) -> wire.ServiceCatalog:
    """The services this kiosk's office offers, with their forms and required documents."""
    return catalog.catalog_for(db, kiosk)


@router.post("/sessions", status_code=201, response_model=wire.LoginResponse, tags=["residents"])
def sign_in(
    request: wire.LoginRequest, kiosk: KioskDep, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """Card tap or NIK, then the 6-digit PIN. Three wrong PINs lock for 60 s, doubling."""
    return idem.run(kiosk.id, 201, lambda: residents.login(ctx, db, kiosk, request))


@router.get("/sessions/current", response_model=wire.ResidentSummary, tags=["residents"])
def current_resident(
    resident: Annotated[ResidentContext, Depends(resident_allowing_pin_change)],
) -> wire.ResidentSummary:
    """Who is signed in; also keeps the session from idling out."""
    return residents.summary(resident.session.resident)


@router.post("/sessions/current/pin", response_model=wire.PinChanged, tags=["residents"])
def change_pin(
    request: wire.PinChangeRequest,
    resident: Annotated[ResidentContext, Depends(resident_allowing_pin_change)],
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """Required after the first sign-in; allowed any time after."""
    return idem.run(
        resident.kiosk.id, 200, lambda: residents.change_pin(db, resident.session, request)
    )


@router.delete("/sessions/current", status_code=204, tags=["residents"])
def sign_out(
    resident: Annotated[ResidentContext, Depends(resident_allowing_pin_change)], ctx: Ctx, db: Db
) -> Response:
    """The kiosk ends the session when the resident leaves or the idle countdown runs out."""
    residents.end_session(db, resident.session, ctx.clock.now())
    return Response(status_code=204)


@router.get("/sessions/current/check", response_model=wire.ResidentSummary, tags=["residents"])
def active_check(
    resident: Annotated[ResidentContext, Depends(active_resident)],
) -> wire.ResidentSummary:
    """Like /sessions/current, but refused until a first-login PIN change is done."""
    return residents.summary(resident.session.resident)
