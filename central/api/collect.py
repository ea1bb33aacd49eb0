"""Routes for collecting a finished letter at the kiosk (issue 15 item 5), all kiosk-signed
and for a live resident session only (never the submission grant): listing the resident's
letters ready to print, downloading one's PDF, and recording that it was printed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from sqlalchemy.orm import Session

from central.context import CentralContext, get_context, get_db
from central.contract import collect as wire
from central.errors import ERROR_RESPONSES
from central.security.idempotency import IdempotencyDep
from central.security.resident_auth import ResidentContext, active_resident
from central.services import letter_collection
from central.services.tracking import LOOKUP_PATTERN

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["letters"])
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]
Resident = Annotated[ResidentContext, Depends(active_resident)]
Code = Annotated[str, Path(pattern=LOOKUP_PATTERN)]

_PDF: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The finished letter",
    }
}


@router.get("/residents/me/letters", response_model=wire.FinishedLetters)
def finished_letters(resident: Resident, db: Db) -> wire.FinishedLetters:
    """Letters 'siap diambil' with their PDF, at this kiosk's office, not yet printed."""
    return letter_collection.finished(db, resident.kiosk, resident.session.resident)


@router.get("/letters/{code}/pdf", response_class=Response, responses=_PDF)
def letter_pdf(code: Code, resident: Resident, db: Db) -> Response:
    """The PDF of one of the resident's finished letters; 409 once it is collected."""
    content = letter_collection.pdf(db, resident.kiosk, resident.session.resident, code)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/letters/{code}/printed", response_model=wire.LetterPrinted)
def letter_printed(
    code: Code, resident: Resident, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """The kiosk printed the letter: ``printed_at`` is recorded and the request is
    'sudah diambil'."""
    return idem.run(
        resident.kiosk.id,
        200,
        lambda: letter_collection.mark_printed(
            db, resident.kiosk, resident.session.resident, code, ctx.clock.now()
        ),
    )
