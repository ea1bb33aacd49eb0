"""Routes for operators at the centre: sign-in, enrollment tokens, revocation, the fleet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from sqlalchemy.orm import Session

from central import enrollment, fleet, operators
from central.auth import OperatorDep
from central.context import CentralContext, get_context, get_db
from central.contract import models as wire
from central.errors import ERROR_RESPONSES
from central.idempotency import IdempotencyDep

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["operators"])
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]


@router.post("/operator/login", response_model=wire.OperatorToken)
def operator_login(request: wire.OperatorLogin, ctx: Ctx, db: Db, idem: IdempotencyDep) -> Response:
    return idem.run(
        "operator-login",
        200,
        lambda: operators.login(db, request, ctx.clock.now(), ctx.settings.operator_token_ttl_s),
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


@router.get("/fleet", response_model=wire.Fleet)
def fleet_view(_operator: OperatorDep, ctx: Ctx, db: Db) -> wire.Fleet:
    """Every kiosk with its liveness and its newest heartbeat. Operators only."""
    return fleet.fleet(db, ctx.clock.now(), ctx.settings)
