"""The back office's complaint and bansos pages: an office's complaints with the photo, the
replies and a reply form that can move the status; its pending bansos applications with an
approve/reject form. Scoped by the operator's ``OfficeScope`` (a bansos application belongs
to the office of the kiosk it was made at); every change and every photo view is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from central.backoffice import casework
from central.console.audit import audit_operator_action
from central.console.letters import FRAMEABLE
from central.console.render import SECURITY_HEADERS, render
from central.console.session import ConsoleOperator, console_operator, not_found
from central.context import CentralContext
from central.errors import ApiError
from central.models import BansosEnrollment, Complaint, ComplaintReply, Document, Kiosk
from central.security.roles import Area
from common.i18n.translator import N_

router = APIRouter(include_in_schema=False)
Office = Annotated[ConsoleOperator, Depends(console_operator(Area.OFFICE))]

LIST_LIMIT = 200
COMPLAINT_LABELS = {
    "received": N_("Received"),
    "in_progress": N_("Being handled"),
    "resolved": N_("Resolved"),
}
REPLIED = N_("The reply was saved.")
DECIDED = N_("The decision was saved.")


def _context(request: Request) -> CentralContext:
    ctx: CentralContext = request.app.state.context
    return ctx


def _field(operator: ConsoleOperator, name: str, limit: int) -> str:
    value = operator.form.get(name)
    return value if isinstance(value, str) and len(value) <= limit else ""


def _refusal(err: ApiError, operator: ConsoleOperator) -> str:
    return err.body.message.id if operator.language == "id" else err.body.message.en


@router.get("/console/complaints")
def complaints(request: Request, operator: Office) -> Response:
    """Open complaints first, each group oldest first."""
    with _context(request).sessions() as db:
        rows = db.scalars(
            select(Complaint)
            .where(operator.scope.where(Complaint.office_id))
            .order_by(Complaint.status == "resolved", Complaint.received_at)
            .limit(LIST_LIMIT)
        ).all()
        return render(request, "complaints.html", operator, rows=rows, labels=COMPLAINT_LABELS)


def _complaint(db_request: Request, operator: ConsoleOperator, code: str) -> Complaint:
    with _context(db_request).sessions() as db:
        row = db.scalar(select(Complaint).where(Complaint.tracking_code == code[:20].upper()))
    if row is None or not operator.scope.allows(row.office_id):
        raise not_found()
    return row


def _complaint_page(
    request: Request,
    operator: ConsoleOperator,
    code: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    row = _complaint(request, operator, code)
    with _context(request).sessions() as db:
        replies = db.scalars(
            select(ComplaintReply)
            .where(ComplaintReply.complaint_id == row.id)
            .order_by(ComplaintReply.id)
        ).all()
    return render(
        request,
        "complaint.html",
        operator,
        status=status,
        row=row,
        replies=replies,
        labels=COMPLAINT_LABELS,
        next_statuses=sorted(casework.COMPLAINT_TRANSITIONS[row.status]),
        notice=notice,
        error=error,
    )


@router.get("/console/complaints/{code}")
def complaint_page(
    request: Request,
    operator: Office,
    code: str,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    return _complaint_page(request, operator, code, notice=REPLIED if done else None)


@router.get("/console/complaints/{code}/photo")
def complaint_photo(request: Request, operator: Office, code: str) -> Response:
    """The complaint's photo, shown in the page; every view is audited."""
    row = _complaint(request, operator, code)
    with _context(request).sessions() as db:
        photo = db.get(Document, row.photo_document_id) if row.photo_document_id else None
        if photo is None:
            raise not_found()
        audit_operator_action(db, operator, "photo_view", row.tracking_code)
        db.commit()
        return Response(photo.content, media_type=photo.content_type, headers=FRAMEABLE)


@router.post("/console/complaints/{code}/reply")
def complaint_reply(request: Request, operator: Office, code: str) -> Response:
    row = _complaint(request, operator, code)
    wanted = _field(operator, "status", 16) or None
    with _context(request).sessions() as db:
        complaint = db.get(Complaint, row.id)
        assert complaint is not None
        try:
            casework.reply(
                db,
                complaint,
                _field(operator, "text", casework.MAX_REPLY_LENGTH),
                wanted,
                operator.operator_id,
                operator.now,
            )
        except ApiError as err:
            db.rollback()
            return _complaint_page(
                request, operator, code, error=_refusal(err, operator), status=err.status
            )
        audit_operator_action(db, operator, "complaint_reply", row.tracking_code)
        db.commit()
    return RedirectResponse(
        f"/console/complaints/{row.tracking_code}?done=1", status_code=303, headers=SECURITY_HEADERS
    )


def _pending(request: Request, operator: ConsoleOperator) -> list[tuple[BansosEnrollment, str]]:
    with _context(request).sessions() as db:
        rows = db.execute(
            select(BansosEnrollment, Kiosk.office_id)
            .join(Kiosk, Kiosk.id == BansosEnrollment.kiosk_id)
            .where(BansosEnrollment.status == "pending", operator.scope.where(Kiosk.office_id))
            .order_by(BansosEnrollment.received_at)
            .limit(LIST_LIMIT)
        ).all()
        return [(enrollment, office) for enrollment, office in rows]


@router.get("/console/bansos")
def bansos(
    request: Request,
    operator: Office,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """Applications made at the office's kiosks that wait for a decision, oldest first."""
    return render(
        request,
        "bansos.html",
        operator,
        rows=_pending(request, operator),
        notice=DECIDED if done else None,
        error=None,
    )


@router.post("/console/bansos/{code}/decision")
def bansos_decision(request: Request, operator: Office, code: str) -> Response:
    decision = _field(operator, "decision", 8)
    with _context(request).sessions() as db:
        found = db.execute(
            select(BansosEnrollment, Kiosk.office_id)
            .join(Kiosk, Kiosk.id == BansosEnrollment.kiosk_id)
            .where(BansosEnrollment.tracking_code == code[:20].upper())
        ).first()
        if found is None or not operator.scope.allows(found[1]):
            raise not_found()
        enrollment = found[0]
        try:
            if decision not in casework.DECISIONS:
                raise ApiError(
                    422,
                    "decision_invalid",
                    "Pilih setujui atau tolak.",
                    "Choose approve or reject.",
                )
            casework.decide(
                db,
                enrollment,
                "approve" if decision == "approve" else "reject",
                _field(operator, "reason", casework.MAX_REASON_LENGTH),
                operator.operator_id,
                operator.now,
            )
        except ApiError as err:
            db.rollback()
            return render(
                request,
                "bansos.html",
                operator,
                status=err.status,
                rows=_pending(request, operator),
                notice=None,
                error=_refusal(err, operator),
            )
        audit_operator_action(db, operator, "bansos_decision", enrollment.tracking_code)
        db.commit()
    return RedirectResponse("/console/bansos?done=1", status_code=303, headers=SECURITY_HEADERS)
