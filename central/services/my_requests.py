"""A signed-in resident's own requests for the kiosk's "Permohonan saya" list: letters,
complaints and bansos applications, newest first, each as its tracking lookup tells it.

Columns, never rows: a request row brings its resident and answers along, and this list must
hold nothing beyond what the receipt's public lookup shows (plus when it was received). Every
query is scoped to the resident of the live session, so nobody sees another's requests.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.contract.models import LocalizedText
from central.models import (
    BansosEnrollment,
    BansosProgram,
    Complaint,
    LetterRequest,
    LetterStatusChange,
    Resident,
    Service,
)
from central.services.tracking import (
    BANSOS_STATUS_LABELS,
    COMPLAINT_CATEGORY_LABELS,
    COMPLAINT_STATUS_LABELS,
)

LIMIT = wire.MAX_MY_REQUESTS


def of_resident(db: Session, resident: Resident) -> wire.MyRequests:
    """Up to ``LIMIT`` of each kind, then the newest ``LIMIT`` of them all (by when the centre
    received them; the tracking code breaks ties so the order is stable)."""
    found = [*_letters(db, resident.id), *_complaints(db, resident.id), *_bansos(db, resident.id)]
    found.sort(key=lambda item: (item.received_at, item.tracking_code), reverse=True)
    return wire.MyRequests(requests=found[:LIMIT])


def _letters(db: Session, resident_id: int) -> list[wire.MyRequest]:
    last_change = (
        select(func.max(LetterStatusChange.at))
        .where(LetterStatusChange.request_id == LetterRequest.id)
        .scalar_subquery()
    )
    rows = db.execute(
        select(
            LetterRequest.tracking_code,
            LetterRequest.status,
            LetterRequest.received_at,
            last_change.label("changed_at"),
            Service.label_id,
            Service.label_en,
        )
        .join(Service, Service.id == LetterRequest.service_id)
        .where(LetterRequest.resident_id == resident_id)
        .order_by(LetterRequest.received_at.desc(), LetterRequest.id.desc())
        .limit(LIMIT)
    ).all()
    return [
        wire.MyRequest(
            tracking_code=row.tracking_code,
            kind="letter",
            title=LocalizedText(id=row.label_id, en=row.label_en),
            status_label=_letter_status(row.status),
            received_at=row.received_at,
            updated_at=max(row.received_at, row.changed_at or row.received_at),
        )
        for row in rows
    ]


def _letter_status(status: int) -> LocalizedText:
    label_id, label_en = wire.LETTER_STATUS_LABELS[wire.LetterStatus(status)]
    return LocalizedText(id=label_id, en=label_en)


def _complaints(db: Session, resident_id: int) -> list[wire.MyRequest]:
    rows = db.execute(
        select(
            Complaint.tracking_code,
            Complaint.category,
            Complaint.status,
            Complaint.received_at,
            Complaint.updated_at,
        )
        .where(Complaint.resident_id == resident_id)
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(LIMIT)
    ).all()
    requests = []
    for row in rows:
        category = COMPLAINT_CATEGORY_LABELS[row.category]
        requests.append(
            wire.MyRequest(
                tracking_code=row.tracking_code,
                kind="complaint",
                title=LocalizedText(id=f"Pengaduan: {category.id}", en=f"Complaint: {category.en}"),
                status_label=COMPLAINT_STATUS_LABELS[row.status],
                received_at=row.received_at,
                updated_at=row.updated_at,
            )
        )
    return requests


def _bansos(db: Session, resident_id: int) -> list[wire.MyRequest]:
    """Applications made at a kiosk only: an enrollment the office registered has no tracking
    code and was never the resident's request."""
    rows = db.execute(
        select(
            BansosEnrollment.tracking_code,
            BansosEnrollment.status,
            BansosEnrollment.received_at,
            BansosProgram.name_id,
            BansosProgram.name_en,
        )
        .join(BansosProgram, BansosProgram.id == BansosEnrollment.program_id)
        .where(
            BansosEnrollment.resident_id == resident_id,
            BansosEnrollment.tracking_code.is_not(None),
            BansosEnrollment.received_at.is_not(None),
        )
        .order_by(BansosEnrollment.received_at.desc(), BansosEnrollment.id.desc())
        .limit(LIMIT)
    ).all()
    return [
        wire.MyRequest(
            tracking_code=row.tracking_code,
            kind="bansos",
            title=LocalizedText(id=row.name_id, en=row.name_en),
            status_label=BANSOS_STATUS_LABELS[row.status],
            received_at=row.received_at,
            updated_at=row.received_at,
        )
        for row in rows
    ]
