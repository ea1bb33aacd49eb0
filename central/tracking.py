"""Tracking codes: short, unambiguous, unique across every kind of submission, and a public
lookup that tells a receipt holder the status and nothing personal."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.contract.models import LocalizedText
from central.errors import ApiError
from central.models import BansosEnrollment, Complaint, LetterRequest, TrackingCode

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


def track(db: Session, code: str) -> wire.TrackedItem:
    normalised = code.strip().upper()
    record = db.get(TrackingCode, normalised)
    item = None
    if record is not None and record.kind == "letter":
        item = _letter(db, normalised)
    elif record is not None and record.kind == "bansos":
        item = _bansos(db, normalised)
    elif record is not None and record.kind == "complaint":
        item = _complaint(db, normalised)
    if item is None:
        raise ApiError(
            404,
            "tracking_code_unknown",
            "Kode lacak tidak ditemukan. Periksa lagi kode pada struk.",
            "No such tracking code. Check the code on the receipt.",
        )
    return item


def _letter(db: Session, code: str) -> wire.TrackedItem | None:
    row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == code))
    if row is None:
        return None
    label_id, label_en = wire.LETTER_STATUS_LABELS[wire.LetterStatus(row.status)]
    return wire.TrackedItem(
        tracking_code=code,
        kind="letter",
        title=LocalizedText(id=row.service.label_id, en=row.service.label_en),
        status_label=LocalizedText(id=label_id, en=label_en),
        updated_at=row.history[-1].at if row.history else row.received_at,
    )


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
    row = db.scalar(select(Complaint).where(Complaint.tracking_code == code))
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
