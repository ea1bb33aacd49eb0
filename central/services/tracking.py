"""Tracking codes: short, unambiguous, unique across every kind of submission, and a public
lookup that tells a receipt holder the status and nothing personal, by any code a receipt
prints (tracking code, offline slip reference, queue ticket code)."""

from __future__ import annotations

import re
import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.contract.models import LocalizedText
from central.errors import ApiError
from central.models import (
    BansosEnrollment,
    Complaint,
    Kiosk,
    LetterRequest,
    LetterStatusChange,
    QueueTicket,
    Service,
    TrackingCode,
)

# No 0/O, 1/I/L: a code is read off paper and typed or said over the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6 ≈ 887 million codes: guessing a live one is hopeless at kiosk request rates

BANSOS_STATUS_LABELS: dict[str, LocalizedText] = {
    "pending": LocalizedText(id="Sedang diverifikasi", en="Being verified"),
    "active": LocalizedText(id="Terdaftar sebagai penerima", en="Enrolled as a recipient"),
    "ended": LocalizedText(id="Sudah berakhir", en="Ended"),
}
COMPLAINT_STATUS_LABELS: dict[str, LocalizedText] = {
    "received": LocalizedText(id="Diterima", en="Received"),
    "in_progress": LocalizedText(id="Sedang ditangani", en="Being handled"),
    "resolved": LocalizedText(id="Selesai", en="Resolved"),
}
# Keyed by the contract's ComplaintCategory and worded as the kiosk's receipt names them (its
# catalogs: kiosk/receipts/labels.py), so a resident reads one name on paper and online; a
# test holds the keys and the wording to those.
COMPLAINT_CATEGORY_LABELS: dict[str, LocalizedText] = {
    "layanan": LocalizedText(id="Pelayanan publik", en="Public services"),
    "infrastruktur": LocalizedText(id="Infrastruktur", en="Infrastructure"),
    "bansos": LocalizedText(id="Bantuan sosial", en="Social assistance"),
    "keamanan": LocalizedText(id="Keamanan dan ketertiban", en="Safety and order"),
    "lainnya": LocalizedText(id="Lainnya", en="Other"),
}


def issue(db: Session, prefix: str, kind: str) -> str:
    """Insert a fresh code (``PRE-7K3M9Q``). Flushed at once, so it exists before the row
    that refers to it; a clash raises IntegrityError, which ``submissions.create_once``
    answers by rolling back and drawing again."""
    code = f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    db.add(TrackingCode(code=code, kind=kind))
    db.flush()
    return code


def letter_prefix(service_id: str) -> str:
    """'sktm' → 'SKT', 'domisili' → 'DOM': the letter type is recognisable on the receipt."""
    letters = "".join(c for c in service_id.upper() if "A" <= c <= "Z")
    return letters[:3] if len(letters) >= 3 else "SRT"


# Every code a receipt prints: a tracking code ('SKT-7K3M9Q'), an offline slip's reference
# (the outbox's local_ref, 8-64 characters) or a queue ticket's code ('231126-A-012').
LOOKUP_PATTERN = r"^[A-Za-z0-9_-]{6,64}$"
_QUEUE_CODE = re.compile(r"^(\d{2})(\d{2})(\d{2})-([ABC])-(\d{3,5})$")
_CENTURY = 2000
QUEUE_WAITING = LocalizedText(id="Menunggu dipanggil", en="Waiting to be called")
QUEUE_CALLED = LocalizedText(id="Sudah dipanggil", en="Called to the counter")
_SUBMISSIONS: tuple[type[LetterRequest] | type[Complaint] | type[BansosEnrollment], ...] = (
    LetterRequest,
    Complaint,
    BansosEnrollment,
)


def unknown_code() -> ApiError:
    return ApiError(
        404,
        "tracking_code_unknown",
        "Kode lacak tidak ditemukan. Periksa lagi kode pada struk.",
        "No such tracking code. Check the code on the receipt.",
    )


def track(
    db: Session, code: str, *, office_id: str | None, kiosk_id: str | None = None
) -> wire.TrackedItem:
    """Whatever code the receipt carries. A queue code is looked up at ``office_id`` (numbers
    restart per office and day), so without an office it is unknown; an offline slip's
    reference finds the submission it became once delivered (from a kiosk of ``office_id``
    when given, ``kiosk_id``'s own first; else from any kiosk, if exactly one used it) and
    answers with its tracking code. A kiosk asks with its own office and id; the public page
    with the office its QR names, if any."""
    code = code.strip()
    queue_code = _QUEUE_CODE.fullmatch(code.upper())
    if queue_code is not None:
        if office_id is None:
            raise unknown_code()
        return _queue(db, office_id, code.upper(), queue_code)
    item = _by_tracking_code(db, code.upper())
    if item is None:
        tracking_code = _tracking_code_of(db, code, office_id, kiosk_id)
        item = _by_tracking_code(db, tracking_code) if tracking_code else None
    if item is None:
        raise unknown_code()
    return item


def _tracking_code_of(
    db: Session, local_ref: str, office_id: str | None, kiosk_id: str | None
) -> str | None:
    """The tracking code of the submission an offline slip's reference became, if delivered.
    Within an office (the asking kiosk's own first, should two have used the same reference)
    the lookup runs on the ``(kiosk_id, local_ref)`` unique index; without one, on the
    ``local_ref`` index, and two kiosks' equal references answer nothing rather than a guess."""
    found: list[tuple[bool, str]] = []
    for table in _SUBMISSIONS:
        query = select(table.kiosk_id, table.tracking_code).where(
            table.local_ref == local_ref, table.tracking_code.is_not(None)
        )
        if office_id is not None:
            query = query.where(
                table.kiosk_id.in_(select(Kiosk.id).where(Kiosk.office_id == office_id))
            )
        found += [(row.kiosk_id != kiosk_id, row.tracking_code) for row in db.execute(query)]
    if office_id is None and len(found) != 1:
        return None
    return min(found)[1] if found else None


def _queue(db: Session, office_id: str, code: str, parts: re.Match[str]) -> wire.TrackedItem:
    day_text, month, year, counter, seq = parts.groups()
    try:
        day = date(_CENTURY + int(year), int(month), int(day_text))
    except ValueError:
        raise unknown_code() from None
    row = db.scalar(
        select(QueueTicket).where(
            QueueTicket.office_id == office_id,
            QueueTicket.day == day,
            QueueTicket.counter == counter,
            QueueTicket.seq == int(seq),
        )
    )
    if row is None:
        raise unknown_code()
    return wire.TrackedItem(
        tracking_code=code,
        kind="queue",
        title=LocalizedText(id=f"Antrean {counter}-{seq}", en=f"Queue {counter}-{seq}"),
        status_label=QUEUE_CALLED if row.served_at is not None else QUEUE_WAITING,
        updated_at=row.served_at or row.issued_at,
    )


def _by_tracking_code(db: Session, normalised: str) -> wire.TrackedItem | None:
    kind = db.scalar(select(TrackingCode.kind).where(TrackingCode.code == normalised))
    item = None
    if kind == "letter":
        item = _letter(db, normalised)
    elif kind == "bansos":
        item = _bansos(db, normalised)
    elif kind == "complaint":
        item = _complaint(db, normalised)
    return item


def _letter(db: Session, code: str) -> wire.TrackedItem | None:
    """Columns, not rows: the public page is the busiest reader here, and a request row would
    bring its resident (joined) and scans along, which a status page must never even load."""
    row = db.execute(
        select(
            LetterRequest.id,
            LetterRequest.status,
            LetterRequest.received_at,
            Service.label_id,
            Service.label_en,
        )
        .join(Service, Service.id == LetterRequest.service_id)
        .where(LetterRequest.tracking_code == code)
    ).one_or_none()
    if row is None:
        return None
    history = db.execute(
        select(LetterStatusChange.status, LetterStatusChange.at)
        .where(LetterStatusChange.request_id == row.id)
        .order_by(LetterStatusChange.id)
    ).all()
    return wire.TrackedItem(
        tracking_code=code,
        kind="letter",
        title=LocalizedText(id=row.label_id, en=row.label_en),
        status_label=_letter_status(row.status),
        updated_at=history[-1].at if history else row.received_at,
        steps=[wire.TrackedStep(label=_letter_status(h.status), at=h.at) for h in history],
    )


def _letter_status(status: int) -> LocalizedText:
    label_id, label_en = wire.LETTER_STATUS_LABELS[wire.LetterStatus(status)]
    return LocalizedText(id=label_id, en=label_en)


def _bansos(db: Session, code: str) -> wire.TrackedItem | None:
    row = db.scalar(select(BansosEnrollment).where(BansosEnrollment.tracking_code == code))
    if row is None or row.received_at is None:
        return None
    return wire.TrackedItem(
        tracking_code=code,
        kind="bansos",
        title=LocalizedText(id=row.program.name_id, en=row.program.name_en),
        status_label=BANSOS_STATUS_LABELS[row.status],
        updated_at=row.received_at,
    )


def _complaint(db: Session, code: str) -> wire.TrackedItem | None:
    """Columns only: never the complaint's text or its resident."""
    row = db.execute(
        select(Complaint.category, Complaint.status, Complaint.updated_at).where(
            Complaint.tracking_code == code
        )
    ).one_or_none()
    if row is None:
        return None
    category = COMPLAINT_CATEGORY_LABELS[row.category]
    return wire.TrackedItem(
        tracking_code=code,
        kind="complaint",
        title=LocalizedText(id=f"Pengaduan: {category.id}", en=f"Complaint: {category.en}"),
        status_label=COMPLAINT_STATUS_LABELS[row.status],
        updated_at=row.updated_at,
    )
