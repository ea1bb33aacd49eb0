"""The back office's letter pages: an office's inbox, a request with its answers and scans,
status moves with reasons, and the finished letter.

Every query goes through the operator's ``OfficeScope``: a village operator opening another
office's request gets the same 404 as for a code that does not exist. Every view of a
resident's scan or letter, and every change, is written to the audit log (the tracking code
and the scan's name; never what it shows). The work itself is done by the service functions
the API uses (``central.services.letters``, ``central.backoffice.finished``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from central.backoffice import finished
from central.backoffice.api import base_url
from central.console.audit import audit_operator_action
from central.console.render import SECURITY_HEADERS, render
from central.console.session import ConsoleOperator, console_operator, not_found
from central.context import CentralContext
from central.contract import services as wire
from central.errors import ApiError
from central.models import Document, FinishedLetter, LetterRequest
from central.security.roles import Area
from central.services import letters
from central.services.documents import EXTENSIONS
from common.i18n.translator import N_

router = APIRouter(include_in_schema=False)
Office = Annotated[ConsoleOperator, Depends(console_operator(Area.OFFICE))]
Status = wire.LetterStatus

INBOX_LIMIT = 200
MAX_REASON = 500
STATUS_LABELS: dict[Status, str] = {
    Status.BELUM_LENGKAP: N_("Incomplete"),
    Status.SEDANG_DIPERIKSA: N_("Being checked"),
    Status.MENUNGGU_TANDATANGAN: N_("Awaiting signature"),
    Status.SIAP_DIAMBIL: N_("Ready for collection"),
    Status.SUDAH_DIAMBIL: N_("Collected"),
    Status.DIBATALKAN: N_("Cancelled"),
}
MOVED = N_("Status changed.")
LETTER_MADE = N_("The letter was made.")
LETTER_UPLOADED = N_("The signed letter was uploaded in place of the generated one.")
DONE = {"moved": MOVED, "letter": LETTER_MADE, "signed": LETTER_UPLOADED}
PDF_NEEDED = N_("Choose the signed letter's PDF file.")
REASON_NEEDED = N_("Give a reason for the change (at most 500 characters).")
# Inline scans may be framed by the console's own pages, nothing else.
FRAMEABLE = {
    **SECURITY_HEADERS,
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
}


@dataclass(frozen=True)
class InboxRow:
    code: str
    service: str
    status: Status
    office_id: str
    received_at: datetime
    age_days: int


def _context(request: Request) -> CentralContext:
    ctx: CentralContext = request.app.state.context
    return ctx


def _inbox(
    db: Session, operator: ConsoleOperator, status: Status | None
) -> tuple[list[InboxRow], dict[Status, int]]:
    scoped = operator.scope.where(LetterRequest.office_id)
    query = select(LetterRequest).where(scoped)
    if status is not None:
        query = query.where(LetterRequest.status == int(status))
    rows = db.scalars(
        query.order_by(LetterRequest.received_at, LetterRequest.id).limit(INBOX_LIMIT)
    )
    inbox = [
        InboxRow(
            row.tracking_code,
            row.service.label_id if operator.language == "id" else row.service.label_en,
            Status(row.status),
            row.office_id,
            row.received_at,
            (operator.now - row.received_at).days,
        )
        for row in rows
    ]
    counts = dict(
        db.execute(
            select(LetterRequest.status, func.count()).where(scoped).group_by(LetterRequest.status)
        ).all()
    )
    return inbox, {s: int(counts.get(int(s), 0)) for s in Status}


@router.get("/console/letters")
def inbox(
    request: Request,
    operator: Office,
    status: Annotated[int | None, Query(ge=0, le=5)] = None,
) -> Response:
    """The office's letter requests by status, oldest first (the order residents asked)."""
    wanted = Status(status) if status is not None else None
    with _context(request).sessions() as db:
        rows, counts = _inbox(db, operator, wanted)
    return render(
        request,
        "letters.html",
        operator,
        rows=rows,
        counts=counts,
        wanted=wanted,
        statuses=list(Status),
        status_labels=STATUS_LABELS,
        limit=INBOX_LIMIT,
    )


def _request(db: Session, operator: ConsoleOperator, code: str) -> LetterRequest:
    """The request if it exists and is in the operator's scope; else the one 404."""
    row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == code[:20].upper()))
    if row is None or not operator.scope.allows(row.office_id):
        raise not_found()
    return row


def _detail(
    request: Request,
    operator: ConsoleOperator,
    code: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with _context(request).sessions() as db:
        row = _request(db, operator, code)
        letter = db.get(FinishedLetter, row.id)
        documents = [(d.name, db.get(Document, d.document_id)) for d in row.documents]
        scans = [(name, doc.content_type) for name, doc in documents if doc is not None]
        labels = {}
        if row.service.spec:
            for field in row.service.spec.get("fields", []):
                labels[field["name"]] = field["label"][operator.language]
        return render(
            request,
            "letter.html",
            operator,
            status=status,
            row=row,
            current=Status(row.status),
            letter=letter,
            verify_url=_verify_url(request, letter),
            scans=scans,
            answer_labels=labels,
            next_statuses=sorted(letters.TRANSITIONS[Status(row.status)]),
            makeable=Status(row.status) in finished.MAKEABLE,
            max_document_mb=_context(request).settings.max_document_mb,
            status_labels=STATUS_LABELS,
            notice=notice,
            error=error,
        )


def _verify_url(request: Request, letter: FinishedLetter | None) -> str | None:
    if letter is None:
        return None
    return finished.verify_url(base_url(_context(request), request), letter.verify_code)


@router.get("/console/letters/{code}")
def request_page(
    request: Request,
    operator: Office,
    code: str,
    done: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The request: resident, answers, scans, history, the moves it may make, its letter."""
    return _detail(request, operator, code, notice=DONE.get(done or ""))


def _refusal_text(err: ApiError, operator: ConsoleOperator) -> str:
    """A service refusal in the reader's language (the API's own bilingual message)."""
    return err.body.message.id if operator.language == "id" else err.body.message.en


def _field(operator: ConsoleOperator, name: str, limit: int) -> str:
    value = operator.form.get(name)
    return value.strip() if isinstance(value, str) and len(value) <= limit else ""


def _after_post(code: str, notice: str) -> Response:
    """Back to the request's page (POST, redirect, GET: a reload repeats nothing)."""
    return RedirectResponse(
        f"/console/letters/{code}?done={notice}", status_code=303, headers=SECURITY_HEADERS
    )


@router.post("/console/letters/{code}/status")
def move_status(request: Request, operator: Office, code: str) -> Response:
    """One legal move with its reason (``letters.move``), audited."""
    ctx = _context(request)
    reason = _field(operator, "reason", MAX_REASON)
    target = _field(operator, "status", 2)
    with ctx.sessions() as db:
        row = _request(db, operator, code)
        code = row.tracking_code
    if not reason or not target.isdigit() or int(target) not in {int(s) for s in Status}:
        return _detail(request, operator, code, error=REASON_NEEDED, status=422)
    update = wire.LetterStatusUpdate(status=Status(int(target)), reason=reason)
    with ctx.sessions() as db:
        try:
            letters.move(db, code, update, operator.operator_id, operator.now)
        except ApiError as err:
            return _detail(
                request, operator, code, error=_refusal_text(err, operator), status=err.status
            )
        audit_operator_action(db, operator, "letter_status", code)
        db.commit()
    return _after_post(code, "moved")


@router.post("/console/letters/{code}/letter")
def make_letter(request: Request, operator: Office, code: str) -> Response:
    """Generates (or remakes) the finished letter from its template, audited."""
    ctx = _context(request)
    signer = finished.Signer(
        _field(operator, "signer_name", finished.SIGNER_MAX_LENGTH),
        _field(operator, "signer_position", finished.SIGNER_MAX_LENGTH),
    )
    with ctx.sessions() as db:
        row = _request(db, operator, code)
        try:
            finished.generate(
                db, row, signer, operator.operator_id, operator.now, base_url(ctx, request)
            )
        except ApiError as err:
            return _refused(request, operator, db, row.tracking_code, err)
        audit_operator_action(db, operator, "letter_generate", row.tracking_code)
        db.commit()
        return _after_post(row.tracking_code, "letter")


@router.post("/console/letters/{code}/letter/signed")
def upload_signed_letter(request: Request, operator: Office, code: str) -> Response:
    """The wet-signed letter, scanned to a PDF, in place of the generated one (number and
    verify code kept, ``finished.upload_signed``: a real PDF without scripts). The body was
    bounded by the document limit before it was read (a larger file gets the 413 page)."""
    ctx = _context(request)
    upload = operator.form.get("letter")
    content = upload.file.read() if isinstance(upload, UploadFile) else b""
    signer = finished.Signer(
        _field(operator, "signer_name", finished.SIGNER_MAX_LENGTH),
        _field(operator, "signer_position", finished.SIGNER_MAX_LENGTH),
    )
    with ctx.sessions() as db:
        row = _request(db, operator, code)
        if not content:
            return _detail(request, operator, row.tracking_code, error=PDF_NEEDED, status=422)
        try:
            finished.upload_signed(
                db,
                row,
                content,
                signer,
                operator.operator_id,
                operator.now,
                ctx.settings.max_document_mb * 1024 * 1024,
            )
        except ApiError as err:
            return _refused(request, operator, db, row.tracking_code, err)
        audit_operator_action(db, operator, "letter_upload", row.tracking_code)
        db.commit()
        return _after_post(row.tracking_code, "signed")


def _refused(
    request: Request, operator: ConsoleOperator, db: Session, code: str, err: ApiError
) -> Response:
    """The request's page again with the refusal in the operator's language; nothing kept."""
    db.rollback()
    return _detail(request, operator, code, error=_refusal_text(err, operator), status=err.status)


def _file(content: bytes, media_type: str, filename: str, download: bool) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(
        content,
        media_type=media_type,
        headers={**FRAMEABLE, "Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@router.get("/console/letters/{code}/scans/{name}")
def scan(
    request: Request,
    operator: Office,
    code: str,
    name: str,
    download: Annotated[bool, Query()] = False,
) -> Response:
    """One scanned page, shown in the page or downloaded; every view is in the audit log."""
    with _context(request).sessions() as db:
        row = _request(db, operator, code)
        attached = next((d for d in row.documents if d.name == name), None)
        document = db.get(Document, attached.document_id) if attached else None
        if document is None:
            raise not_found()
        action = "scan_download" if download else "scan_view"
        audit_operator_action(db, operator, action, f"{row.tracking_code}:{name[:64]}")
        db.commit()
        extension = EXTENSIONS.get(document.content_type, "bin")
        filename = f"{row.tracking_code}-{name}.{extension}"
        return _file(document.content, document.content_type, filename, download)


@router.get("/console/letters/{code}/letter.pdf")
def letter_pdf(
    request: Request,
    operator: Office,
    code: str,
    download: Annotated[bool, Query()] = False,
) -> Response:
    """The finished letter, shown in the browser or downloaded; audited like a scan."""
    with _context(request).sessions() as db:
        row = _request(db, operator, code)
        letter = db.get(FinishedLetter, row.id)
        if letter is None or not letter.size_bytes:
            raise not_found()
        audit_operator_action(db, operator, "letter_view", row.tracking_code)
        db.commit()
        filename = f"surat-{letter.number.replace('/', '-')}.pdf"
        return _file(letter.content, "application/pdf", filename, download)
