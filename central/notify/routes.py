"""Operator routes for notifications: a resident's opt-in taken (or withdrawn) at the office
counter, and the outbox's state. A phone number is only ever shown masked (0812****7890)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central.context import CentralContext, get_context, get_db
from central.contract.models import WireModel
from central.contract.services import NotifyPhone
from central.errors import ERROR_RESPONSES, ApiError
from central.models import Notification, NotificationOptIn, TrackingCode
from central.notify.phones import PhoneBox, SealedPhoneUnreadable, box_for
from central.security.operator_auth import OperatorDep
from common.phone import mask_phone

router = APIRouter(prefix="/v1/operator", responses=ERROR_RESPONSES, tags=["operators"])
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]
CodePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{6,20}$")]
MAX_LISTED = 200
UNREADABLE = "tidak terbaca / unreadable"


class OptInUpdate(WireModel):
    phone: NotifyPhone


class OptInView(WireModel):
    tracking_code: str
    phone_masked: str


class NotificationView(WireModel):
    id: int
    tracking_code: str
    status: Literal["pending", "sending", "sent", "failed"]
    attempts: int
    phone_masked: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None


def _masked(box: PhoneBox, sealed: bytes | None) -> str | None:
    if sealed is None:
        return None
    try:
        return mask_phone(box.open(sealed))
    except SealedPhoneUnreadable:
        return UNREADABLE


@router.put("/optins/{tracking_code}", response_model=OptInView)
def set_optin(
    tracking_code: CodePath, body: OptInUpdate, _operator: OperatorDep, ctx: Ctx, db: Db
) -> OptInView:
    """A resident at the counter gives (or corrects) the number to be told on."""
    code = tracking_code.upper()
    if db.get(TrackingCode, code) is None:
        raise ApiError(
            404, "tracking_code_unknown", "Kode lacak tidak ditemukan.", "No such tracking code."
        )
    sealed = box_for(ctx.identifier_key).seal(body.phone)
    row = db.get(NotificationOptIn, code)
    if row is None:
        db.add(
            NotificationOptIn(tracking_code=code, phone_sealed=sealed, created_at=ctx.clock.now())
        )
    else:
        row.phone_sealed = sealed
    db.commit()
    return OptInView(tracking_code=code, phone_masked=mask_phone(body.phone))


@router.delete("/optins/{tracking_code}", status_code=204)
def withdraw_optin(tracking_code: CodePath, _operator: OperatorDep, db: Db) -> Response:
    """The resident no longer wants messages: the number is erased, with any message not sent
    yet (a sent one already holds no number)."""
    code = tracking_code.upper()
    db.execute(delete(NotificationOptIn).where(NotificationOptIn.tracking_code == code))
    db.execute(
        delete(Notification).where(
            Notification.tracking_code == code, Notification.status.in_(("pending", "failed"))
        )
    )
    db.commit()
    return Response(status_code=204)


@router.get("/notifications", response_model=list[NotificationView])
def list_notifications(
    _operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    status: Literal["pending", "sending", "sent", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 50,
) -> list[NotificationView]:
    """Newest first; failed ones say why (an HTTP status or a network error, never the text)."""
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Notification.status == status)
    box = box_for(ctx.identifier_key)
    rows = db.scalars(query).all()
    optins = {
        o.tracking_code: o.phone_sealed
        for o in db.scalars(
            select(NotificationOptIn).where(
                NotificationOptIn.tracking_code.in_({r.tracking_code for r in rows})
            )
        )
    }
    return [
        NotificationView(
            id=row.id,
            tracking_code=row.tracking_code,
            status=row.status,  # type: ignore[arg-type]  # one of queue's four
            attempts=row.attempts,
            phone_masked=_masked(box, row.phone_sealed or optins.get(row.tracking_code)),
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )
        for row in rows
    ]
