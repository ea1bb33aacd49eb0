"""Routes for the citizen services a kiosk offers: documents, letters, queue tickets, bansos,
complaints, village information and tracking.

Submissions a kiosk may deliver late from its outbox (letters, complaints, bansos
applications) take the resident from a live session or the sign-in's submission grant
(``SubmitterDep``). Queue numbers and the kiosk's tracking lookup need only the kiosk's
signature; village information is public (central/public/information.py). The resident's own
list of requests needs a live session (``active_resident``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from central.backoffice import project_photos
from central.context import CentralContext, get_context, get_db
from central.contract import services as wire
from central.contract.models import ErrorBody
from central.errors import ERROR_RESPONSES, ApiError
from central.notify import optin
from central.notify.phones import box_for
from central.public.information import PHOTO_KEY_PATTERN, InformationCaller, InformationOffice
from central.public.routes import RATE_LIMITED
from central.security.idempotency import IdempotencyDep
from central.security.kiosk_auth import KioskDep
from central.security.resident_auth import ResidentContext, SubmitterDep, active_resident
from central.services import (
    bansos,
    complaints,
    documents,
    information,
    letters,
    my_requests,
    queue,
    tracking,
)
from central.services.submissions import check_submitted_at

router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["services"])
Ctx = Annotated[CentralContext, Depends(get_context)]
Db = Annotated[Session, Depends(get_db)]
Resident = Annotated[ResidentContext, Depends(active_resident)]


def _received(ctx: CentralContext, submitted_at: datetime) -> datetime:
    """Now, once ``submitted_at`` is known to be a sane moment."""
    now = ctx.clock.now()
    check_submitted_at(submitted_at, now, ctx.settings)
    return now


# ---------------------------------------------------------------- documents


@dataclass(frozen=True)
class Upload:
    content_type: str
    content: bytes
    max_bytes: int


async def _upload(request: Request, ctx: Ctx) -> Upload:
    """Declared before the kiosk check, so an oversized or wrong-type upload is refused from
    its headers before its body is read."""
    content_type = documents.media_type(request.headers.get("content-type"))
    max_bytes = ctx.settings.max_document_mb * 1024 * 1024
    documents.check_declared(content_type, request.headers.get("content-length"), max_bytes)
    return Upload(content_type, await request.body(), max_bytes)


_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    411: {"model": ErrorBody, "description": "Content-Length missing"},
    413: {"model": ErrorBody, "description": "Larger than max_document_mb"},
    415: {"model": ErrorBody, "description": "Not JPEG, PNG or PDF"},
}


@router.post(
    "/documents",
    status_code=201,
    response_model=wire.DocumentUploaded,
    responses=_UPLOAD_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {content_type: _BINARY for content_type in wire.DOCUMENT_TYPES},
        }
    },
)
def upload_document(
    upload: Annotated[Upload, Depends(_upload)],
    kiosk: KioskDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """A scan or photo as the raw body. The same bytes from the same kiosk get the same id."""
    return idem.run(
        kiosk.id,
        201,
        lambda: documents.store(
            db, kiosk, upload.content_type, upload.content, upload.max_bytes, ctx.clock.now()
        ),
    )


# ---------------------------------------------------------------- letters


@router.post("/letters", status_code=201, response_model=wire.LetterRequest)
def request_letter(
    body: wire.LetterRequestCreate, who: SubmitterDep, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """Status 1 when every required scan is attached, else 0. A repeated ``local_ref`` from
    the same kiosk returns the first request."""

    def create() -> wire.LetterRequest:
        now = _received(ctx, body.submitted_at)
        letter = letters.create(db, who.kiosk, who.resident, body, now)
        optin.remember(
            db, box_for(ctx.identifier_key), letter.tracking_code, body.notify_phone, now
        )
        return letter

    return idem.run(who.kiosk.id, 201, create)


# ---------------------------------------------------------------- queue tickets


@router.post("/queue/tickets", status_code=201, response_model=wire.QueueTicket)
def take_ticket(
    body: wire.QueueTicketCreate, kiosk: KioskDep, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    """The next number at this kiosk's office today (WIB); anonymous, like a paper roll."""
    return idem.run(kiosk.id, 201, lambda: queue.take(db, kiosk, body, ctx.clock.now()))


# ---------------------------------------------------------------- bansos


@router.get("/bansos", response_model=wire.BansosStatus)
def bansos_status(resident: Resident, db: Db) -> wire.BansosStatus:
    """The signed-in resident's enrollments and every program with its cluster."""
    return bansos.status(db, resident.session.resident)


@router.post("/bansos/applications", status_code=201, response_model=wire.BansosApplication)
def apply_for_bansos(
    body: wire.BansosApplicationCreate,
    who: SubmitterDep,
    ctx: Ctx,
    db: Db,
    idem: IdempotencyDep,
) -> Response:
    """409 ``bansos_cluster_taken`` names the program already held in the same cluster."""
    return idem.run(
        who.kiosk.id,
        201,
        lambda: bansos.apply(db, who.kiosk, who.resident, body, _received(ctx, body.submitted_at)),
    )


# ---------------------------------------------------------------- complaints


@router.post("/complaints", status_code=201, response_model=wire.Complaint)
def file_complaint(
    body: wire.ComplaintCreate, who: SubmitterDep, ctx: Ctx, db: Db, idem: IdempotencyDep
) -> Response:
    def submit() -> wire.Complaint:
        now = _received(ctx, body.submitted_at)
        complaint = complaints.submit(db, who.kiosk, who.resident, body, now)
        optin.remember(
            db, box_for(ctx.identifier_key), complaint.tracking_code, body.notify_phone, now
        )
        return complaint

    return idem.run(who.kiosk.id, 201, submit)


# ---------------------------------------------------------------- public information


@router.get("/information", response_model=wire.VillageInformation, responses=RATE_LIMITED)
def village_information(office_id: InformationOffice, ctx: Ctx, db: Db) -> wire.VillageInformation:
    """Public: a kiosk (signed) gets its own office's; anyone else names ``office_id``
    (rate-limited per address)."""
    return information.for_office(db, office_id, ctx.clock.now())


PHOTO_CACHE = "public, max-age=604800, immutable"  # a photo id never names other pixels


@router.get(
    "/information/projects/{project_id}/photos/{photo_id}",
    response_class=Response,
    responses={
        **RATE_LIMITED,
        200: {"content": {"image/jpeg": {}}, "description": "The photo (a JPEG, no metadata)"},
    },
)
def project_photo(
    _caller: InformationCaller,
    project_id: Annotated[str, Path(pattern=PHOTO_KEY_PATTERN)],
    photo_id: Annotated[str, Path(pattern=PHOTO_KEY_PATTERN)],
    db: Db,
) -> Response:
    """Public, like the rest of village information: one of ``Project.photo_ids``, as the
    back office stored it (at most 1280 px, a few hundred kB). Cacheable for a week: a photo
    is never changed under its id, only removed."""
    photo = project_photos.find(db, project_id, photo_id)
    if photo is None:
        raise ApiError(404, "photo_unknown", "Foto tidak ditemukan.", "No such photo.")
    return Response(
        photo.content,
        media_type=photo.content_type,
        headers={"Cache-Control": PHOTO_CACHE, "ETag": f'"{photo.sha256}"'},
    )


@router.get("/track/{code}", response_model=wire.TrackedItem)
def track(
    code: Annotated[str, Path(pattern=tracking.LOOKUP_PATTERN)], kiosk: KioskDep, db: Db
) -> wire.TrackedItem:
    """Status by any code a receipt prints: a tracking code, an offline slip's reference
    (once delivered), a queue ticket's code (at this kiosk's office); nothing personal."""
    return tracking.track(db, code, office_id=kiosk.office_id, kiosk_id=kiosk.id)


@router.get("/residents/me/requests", response_model=wire.MyRequests)
def my_requests_list(resident: Resident, db: Db) -> wire.MyRequests:
    """The signed-in resident's own letters, complaints and bansos applications, newest
    first (at most 20): tracking code, kind, name, status and dates; nothing else."""
    return my_requests.of_resident(db, resident.session.resident)
