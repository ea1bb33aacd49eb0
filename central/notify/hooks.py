"""The one place where a change to a resident's request becomes a message to them.

Service functions call ``notify_resident(db, event)`` inside the transaction that makes the
change, before they commit: the message is enqueued with the change or not at all (the
outbox pattern), and the worker sends it later. Whether an event is worth a message is
decided here, not by the callers: a letter becomes "siap diambil", a complaint is answered.
Texts name the request by its tracking code and type, never the resident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from central.contract.services import LetterStatus
from central.models import Complaint, LetterRequest, NotificationOptIn, Office
from central.notify import queue
from central.services.tracking import COMPLAINT_STATUS_LABELS

_OFFICE_KINDS = {"desa": "Kantor Desa", "kelurahan": "Kantor Kelurahan"}


@dataclass(frozen=True)
class LetterStatusChanged:
    """A letter request moved to ``letter.status`` at ``at`` (every move; only "ready" is
    told)."""

    letter: LetterRequest
    at: datetime


@dataclass(frozen=True)
class ComplaintAnswered:
    """The office answered a complaint (its ``status`` is the one after the answer)."""

    complaint: Complaint
    at: datetime


ResidentEvent = LetterStatusChanged | ComplaintAnswered


def notify_resident(db: Session, event: ResidentEvent) -> bool:
    """Enqueue the message ``event`` deserves, if its resident opted in; True when enqueued.
    Reporting the same change twice enqueues one message."""
    match event:
        case LetterStatusChanged(letter=letter) if letter.status == LetterStatus.SIAP_DIAMBIL:
            code = letter.tracking_code
            key = f"letter-ready:{code}"
            text = (
                f"{letter.service.label_id} ({code}) siap diambil di "
                f"{_office_name(db, letter.office_id)}. Bawa struk dan e-KTP."
            )
        case ComplaintAnswered(complaint=complaint, at=at):
            code = complaint.tracking_code
            key = f"complaint-answered:{code}:{at.isoformat()}"
            status = COMPLAINT_STATUS_LABELS[complaint.status].id
            text = (
                f"Pengaduan {code} sudah ditanggapi {_office_name(db, complaint.office_id)}. "
                f"Status: {status}."
            )
        case _:
            return False
    optin = db.get(NotificationOptIn, code)
    if optin is None:
        return False
    return queue.enqueue(
        db,
        key=key,
        tracking_code=code,
        phone_sealed=optin.phone_sealed,
        text=text,
        now=event.at,
    )


def _office_name(db: Session, office_id: str) -> str:
    office = db.get(Office, office_id)
    if office is None:
        return "kantor desa"
    return f"{_OFFICE_KINDS.get(office.kind, 'Kantor')} {office.name}"
