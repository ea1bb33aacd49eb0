"""Operator routes for the finished letter (generate, upload signed, download) and the public
verify page that a letter's QR code opens (no sign-in)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field
from sqlalchemy.orm import Session

from central.backoffice import finished, scope, verify
from central.context import CentralContext, get_context, get_db
from central.contract.models import ErrorBody, WireModel
from central.errors import ERROR_RESPONSES, ApiError
from central.models import FinishedLetter, LetterRequest
from central.security.idempotency import IdempotencyDep
from central.security.operator_auth import OperatorDep
from central.services import letters
from central.services.documents import check_declared

router = APIRouter(responses=ERROR_RESPONSES)
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]
TrackingCodePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{6,20}$")]
SignerText = Annotated[str, Field(min_length=1, max_length=finished.SIGNER_MAX_LENGTH)]
SignerQuery = Annotated[str, Query(min_length=1, max_length=finished.SIGNER_MAX_LENGTH)]


class LetterGenerate(WireModel):
    """Who signs the letter, as printed under the signature."""

    signer_name: SignerText
    signer_position: SignerText


class FinishedLetterInfo(WireModel):
    number: str
    verify_code: str
    verify_url: str
    source: str
    signer_name: str
    signer_position: str
    issued_at: datetime
    size_bytes: int
    sha256: str
    printed_at: datetime | None


def base_url(ctx: CentralContext, request: Request) -> str:
    """Where the public pages live: the configured public URL, else this request's own."""
    return ctx.settings.public_base_url or str(request.base_url)


def info(letter: FinishedLetter, public_base: str) -> FinishedLetterInfo:
    return FinishedLetterInfo(
        number=letter.number,
        verify_code=letter.verify_code,
        verify_url=finished.verify_url(public_base, letter.verify_code),
        source=letter.source,
        signer_name=letter.signer_name,
        signer_position=letter.signer_position,
        issued_at=letter.issued_at,
        size_bytes=letter.size_bytes,
        sha256=letter.sha256,
        printed_at=letter.printed_at,
    )


def _scoped_request(db: Session, operator_id: int, code: str) -> LetterRequest:
    """The request, if the operator's role and office reach it (``scope.api_scope``)."""
    office_scope = scope.api_scope(db, operator_id)
    row = letters.by_code(db, code)
    scope.require(office_scope, row.office_id)
    return row


def _no_letter() -> ApiError:
    return ApiError(
        404,
        "letter_not_made",
        "Surat untuk permohonan ini belum dibuat.",
        "No letter has been made for this request yet.",
    )


@router.post(
    "/v1/operator/letters/{tracking_code}/letter",
    response_model=FinishedLetterInfo,
    tags=["operators"],
)
def generate_letter(
    tracking_code: TrackingCodePath,
    body: LetterGenerate,
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
    request: Request,
) -> Response:
    """Makes the request's letter from its type's template (number and QR code kept when
    made again). Only while the request is being checked or awaits signature."""
    public = base_url(ctx, request)

    def make() -> FinishedLetterInfo:
        row = _scoped_request(db, operator.operator_id, tracking_code)
        signer = finished.Signer(body.signer_name, body.signer_position)
        letter = finished.generate(db, row, signer, operator.operator_id, ctx.clock.now(), public)
        return info(letter, public)

    return idem.run(f"operator:{operator.operator_id}", 200, make)


_PDF: dict[str, Any] = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


async def _signed_pdf(request: Request, ctx: Ctx) -> bytes:
    """Bounded from the headers before the body is read, like every upload."""
    max_bytes = ctx.settings.max_document_mb * 1024 * 1024
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    check_declared(content_type, request.headers.get("content-length"), max_bytes)
    if content_type != "application/pdf":
        raise ApiError(
            415,
            "letter_not_pdf",
            "Surat bertanda tangan harus berupa berkas PDF.",
            "The signed letter must be a PDF file.",
        )
    return await request.body()


@router.post(
    "/v1/operator/letters/{tracking_code}/letter/signed",
    response_model=FinishedLetterInfo,
    responses={
        411: {"model": ErrorBody, "description": "Content-Length missing"},
        413: {"model": ErrorBody, "description": "Larger than max_document_mb"},
        415: {"model": ErrorBody, "description": "Not a PDF"},
    },
    tags=["operators"],
    openapi_extra={"requestBody": {"required": True, "content": _PDF}},
)
def upload_signed_letter(
    tracking_code: TrackingCodePath,
    content: Annotated[bytes, Depends(_signed_pdf)],
    signer_name: SignerQuery,
    signer_position: SignerQuery,
    operator: OperatorDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
    request: Request,
) -> Response:
    """The wet-signed letter scanned as a PDF, in place of the generated one (its number is
    kept; a request without a letter gets its number now)."""
    public = base_url(ctx, request)

    def store() -> FinishedLetterInfo:
        row = _scoped_request(db, operator.operator_id, tracking_code)
        signer = finished.Signer(signer_name, signer_position)
        max_bytes = ctx.settings.max_document_mb * 1024 * 1024
        letter = finished.upload_signed(
            db, row, content, signer, operator.operator_id, ctx.clock.now(), max_bytes
        )
        return info(letter, public)

    return idem.run(f"operator:{operator.operator_id}", 200, store)


@router.get(
    "/v1/operator/letters/{tracking_code}/letter",
    response_model=FinishedLetterInfo,
    tags=["operators"],
)
def letter_info(
    tracking_code: TrackingCodePath, operator: OperatorDep, ctx: Ctx, db: Db, request: Request
) -> FinishedLetterInfo:
    row = _scoped_request(db, operator.operator_id, tracking_code)
    letter = finished.for_request(db, row.id)
    if letter is None:
        raise _no_letter()
    return info(letter, base_url(ctx, request))


@router.get(
    "/v1/operator/letters/{tracking_code}/letter.pdf",
    response_class=Response,
    responses={200: {"description": "The letter", "content": _PDF}},
    tags=["operators"],
)
def download_letter(tracking_code: TrackingCodePath, operator: OperatorDep, db: Db) -> Response:
    """The letter's PDF as a download (``attachment``, ``nosniff``)."""
    row = _scoped_request(db, operator.operator_id, tracking_code)
    letter = finished.for_request(db, row.id)
    if letter is None:
        raise _no_letter()
    return pdf_response(letter, inline=False)


def pdf_response(letter: FinishedLetter, *, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    safe_number = letter.number.replace("/", "-")
    return Response(
        letter.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="surat-{safe_number}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/verify/{code}", response_class=HTMLResponse, include_in_schema=False)
def verify_page(
    code: Annotated[str, Path(max_length=32)], db: Db, lang: str = "id"
) -> HTMLResponse:
    """Public: what a letter's QR code opens. Type, number, office, date, status and where it
    was printed; never the resident's NIK in full."""
    found = verify.lookup(db, code)
    return HTMLResponse(verify.render(found, code, lang), status_code=200 if found else 404)
