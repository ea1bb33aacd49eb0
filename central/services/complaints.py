"""Complaints (pengaduan): a category, the resident's text, an optional photo, a tracking code.

The resident is kept with the complaint so the office can answer, but the tracking lookup
shows only category and status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.errors import ApiError
from central.models import Complaint, Resident
from central.security.callers import SignedKiosk
from central.services import documents, tracking
from central.services.submissions import create_once


def _check_photo(db: Session, kiosk: SignedKiosk, document_id: str) -> None:
    document = documents.owned(db, kiosk, document_id)
    if document is None:
        raise ApiError(
            422,
            "document_unknown",
            "Foto tidak ditemukan: unggah lagi.",
            "The photo was not found: upload it again.",
            {"field": "photo_document_id"},
        )
    if document.content_type not in documents.IMAGE_TYPES:
        raise ApiError(
            422,
            "photo_not_an_image",
            "Lampiran pengaduan harus foto (JPEG atau PNG).",
            "A complaint's attachment must be a photo (JPEG or PNG).",
            {"field": "photo_document_id"},
        )


def submit(
    db: Session,
    kiosk: SignedKiosk,
    resident: Resident,
    request: wire.ComplaintCreate,
    now: datetime,
) -> wire.Complaint:
    def find() -> Complaint | None:
        return db.scalar(
            select(Complaint).where(
                Complaint.kiosk_id == kiosk.id, Complaint.local_ref == request.local_ref
            )
        )

    def make() -> Complaint:
        if request.photo_document_id is not None:
            _check_photo(db, kiosk, request.photo_document_id)
        row = Complaint(
            tracking_code=tracking.issue(db, "ADU", "complaint"),
            kiosk_id=kiosk.id,
            local_ref=request.local_ref,
            office_id=kiosk.office_id,
            resident_id=resident.id,
            category=request.category,
            text=request.text.strip(),
            photo_document_id=request.photo_document_id,
            status="received",
            submitted_at=request.submitted_at,
            received_at=now,
            updated_at=now,
        )
        db.add(row)
        return row

    row = create_once(db, find, make)
    # Validated, not cast: the row's category and status are plain text in the database, and
    # the wire model's literals check them on the way out.
    return wire.Complaint.model_validate(
        {
            "tracking_code": row.tracking_code,
            "category": row.category,
            "status": row.status,
            "received_at": row.received_at,
        }
    )
