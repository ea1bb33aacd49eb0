"""Routes for operators at the centre: sign-in, enrollment tokens, revocation, the fleet."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session

from central.backoffice import scope
from central.context import CentralContext, get_context, get_db
from central.contract import models as wire
from central.contract import services as services_wire
from central.errors import ERROR_RESPONSES
from central.security import enrollment, operators
from central.security.idempotency import IdempotencyDep
from central.security.operator_auth import OperatorDep
from central.services import documents, fleet, letters, queue
from central.services.queue import ISO_DAY_PATTERN, parse_day

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["operators"])
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]


@router.post("/operator/login", response_model=wire.OperatorToken)
def operator_login(
    request: wire.OperatorLogin, http: Request, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """Five wrong passwords lock the account, twenty failures lock the address (60 s,
    doubling); a refusal leaves no idempotency record behind."""
    source = http.client.host if http.client else "unknown"
    return idem.run(
        "operator-login",
        200,
        lambda: operators.login(ctx, db, request, source),
        keep_refusals=False,
    )


@router.post(
    "/operator/enrollment-tokens", status_code=201, response_model=wire.EnrollmentTokenCreated
)
def create_enrollment_token(
    request: wire.EnrollmentTokenCreate,
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """A one-time token that binds the next kiosk enrolled with it to this office."""
    return idem.run(
        f"operator:{operator.operator_id}",
        201,
        lambda: enrollment.create_token(db, request.office_id, request.ttl_s, ctx.clock.now()),
    )


@router.post("/operator/kiosks/{kiosk_id}/revoke", response_model=wire.KioskRevoked)
def revoke_kiosk(
    kiosk_id: Annotated[str, Path(max_length=32)],
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """A stolen or retired kiosk: every later request it signs is refused."""
    return idem.run(
        f"operator:{operator.operator_id}",
        200,
        lambda: operators.revoke_kiosk(db, kiosk_id, ctx.clock.now()),
    )


@router.post(
    "/operator/kiosks/{kiosk_id}/rekey-tokens",
    status_code=201,
    response_model=wire.RekeyTokenCreated,
)
def create_rekey_token(
    kiosk_id: Annotated[str, Path(max_length=32)],
    request: wire.RekeyTokenCreate,
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """A one-time token with which this kiosk replaces its key (`kiosk-provision enroll
    --rekey`) and keeps its id and history: after a disk swap, or a revoked kiosk back in hand
    (the re-key lifts the revocation; the old key stays refused)."""
    return idem.run(
        f"operator:{operator.operator_id}",
        201,
        lambda: enrollment.create_rekey_token(db, kiosk_id, request.ttl_s, ctx.clock.now()),
    )


@router.get("/fleet", response_model=wire.Fleet)
def fleet_view(
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=wire.FLEET_PAGE_MAX)] = wire.FLEET_PAGE_DEFAULT,
) -> wire.Fleet:
    """The kiosks with their liveness and newest heartbeat, a page at a time in kiosk id
    order (ask again with ``after=next_after``); a village operator sees their office's
    only. Operators only."""
    return fleet.fleet(
        db,
        ctx.clock.now(),
        ctx.settings,
        office_id=scope.fleet_office(db, operator.operator_id),
        after=after,
        limit=limit,
    )


# ---------------------------------------------------------------- letter requests

TrackingCodePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{6,20}$")]


@router.get("/operator/letters", response_model=letters.LetterRequestPage)
def list_letters(
    operator: OperatorDep,
    db: Db,
    office_id: Annotated[str | None, Query(max_length=32)] = None,
    status: services_wire.LetterStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> letters.LetterRequestPage:
    """Letter requests oldest first, with the resident, answers and attached scans. A village
    operator's credential lists their own office's only."""
    office_scope = scope.api_scope(db, operator.operator_id)
    if office_scope.office_id is not None:
        if office_id not in (None, office_scope.office_id):
            return letters.LetterRequestPage(total=0, items=[])
        office_id = office_scope.office_id
    return letters.page(db, office_id, status, limit, offset)


@router.get("/operator/letters/{tracking_code}", response_model=letters.LetterRequestDetail)
def get_letter(
    tracking_code: TrackingCodePath, operator: OperatorDep, db: Db
) -> letters.LetterRequestDetail:
    row = letters.by_code(db, tracking_code)
    scope.require(scope.api_scope(db, operator.operator_id), row.office_id)
    return letters.detail_wire(row)


@router.post("/operator/letters/{tracking_code}/status", response_model=letters.LetterRequestDetail)
def move_letter(
    tracking_code: TrackingCodePath,
    update: services_wire.LetterStatusUpdate,
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """Forward one step (or cancel while 0-2), with the reason kept in the history."""
    scope.require(
        scope.api_scope(db, operator.operator_id), letters.by_code(db, tracking_code).office_id
    )
    return idem.run(
        f"operator:{operator.operator_id}",
        200,
        lambda: letters.move(db, tracking_code, update, operator.operator_id, ctx.clock.now()),
    )


_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/operator/documents/{document_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The bytes as uploaded",
            "content": {content_type: _BINARY for content_type in services_wire.DOCUMENT_TYPES},
        }
    },
)
def download_document(
    document_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], operator: OperatorDep, db: Db
) -> Response:
    """An attached scan or photo, for the operator checking a request: always a download
    (``attachment``, ``nosniff``), never rendered in the dashboard's own origin."""
    office_scope = scope.api_scope(db, operator.operator_id)
    if office_scope.office_id is not None and not scope.document_in(
        db, document_id, office_scope.office_id
    ):
        document_id = "0" * 32  # answered exactly as an unknown document
    document = documents.fetch(db, document_id)
    extension = documents.EXTENSIONS.get(document.content_type, "bin")
    return Response(
        document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.id}.{extension}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# ---------------------------------------------------------------- queue


@router.get("/operator/queue", response_model=list[services_wire.QueueTicket])
def waiting_tickets(
    office_id: Annotated[str, Query(max_length=32)],
    _operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    day: Annotated[
        str | None,
        Query(pattern=ISO_DAY_PATTERN, json_schema_extra={"format": "date"}),
    ] = None,
) -> list[services_wire.QueueTicket]:
    """Tickets not yet served, per counter in number order; today (WIB) by default.
    ``day`` is an ISO date and only that (a bare number is not a day)."""
    wanted = parse_day(day) if day is not None else queue.service_day(ctx.clock.now())
    return queue.waiting(db, office_id, wanted)


@router.post("/operator/queue/served", response_model=services_wire.QueueTicket)
def serve_ticket(
    request: queue.QueueServe, operator: OperatorDep, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """The ticket was called to the counter: it no longer counts as waiting ahead of others."""
    return idem.run(
        f"operator:{operator.operator_id}", 200, lambda: queue.serve(db, request, ctx.clock.now())
    )
