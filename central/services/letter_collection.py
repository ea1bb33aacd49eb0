"""Finished letters a resident collects at a kiosk: the PDF attached at the office, listed
and downloaded by the signed-in resident at a kiosk of the letter's own office, and the
record that a kiosk printed it (``printed_at``; the request moves to 'sudah diambil').

Every lookup is scoped to the resident and the kiosk's office, and anything outside that
scope answers exactly like a code that does not exist: a resident learns nothing about
another's letters, and a kiosk of another village cannot print them.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import collect as wire
from central.contract.models import LocalizedText
from central.contract.services import LetterStatus
from central.errors import ApiError
from central.models import LetterPdf, LetterRequest, LetterStatusChange, Resident
from central.security.callers import SignedKiosk

PDF_MAGIC = b"%PDF-"
PRINTED_REASON = "Dicetak di anjungan {kiosk_id}"


def attach_pdf(db: Session, request: LetterRequest, pdf: bytes, now: datetime) -> LetterPdf:
    """Attach (or replace, until printed) the finished letter of ``request``; the caller
    commits. For the back office's letter generator and its upload of a signed PDF."""
    if not pdf.startswith(PDF_MAGIC) or len(pdf) > wire.MAX_LETTER_PDF_BYTES:
        raise ApiError(
            422,
            "letter_pdf_invalid",
            "Berkas surat harus PDF dan tidak lebih dari 10 MB.",
            "The letter must be a PDF of at most 10 MB.",
        )
    row = db.get(LetterPdf, request.id)
    if row is not None and row.printed_at is not None:
        raise ApiError(
            409,
            "letter_already_printed",
            "Surat ini sudah dicetak dan tidak dapat diganti.",
            "This letter has been printed and can no longer be replaced.",
        )
    if row is None:
        row = LetterPdf(request_id=request.id)
        db.add(row)
    row.content = pdf
    row.size_bytes = len(pdf)
    row.sha256 = hashlib.sha256(pdf).hexdigest()
    row.attached_at = now
    return row


def printed_at(db: Session, request: LetterRequest) -> datetime | None:
    """When a kiosk printed the letter (for the public verify page), or None."""
    return db.scalar(select(LetterPdf.printed_at).where(LetterPdf.request_id == request.id))


def finished(db: Session, kiosk: SignedKiosk, resident: Resident) -> wire.FinishedLetters:
    """The resident's letters ready to print at this kiosk, oldest first."""
    rows = db.execute(
        select(LetterRequest, LetterPdf)
        .join(LetterPdf, LetterPdf.request_id == LetterRequest.id)
        .where(
            LetterRequest.resident_id == resident.id,
            LetterRequest.office_id == kiosk.office_id,
            LetterRequest.status == int(LetterStatus.SIAP_DIAMBIL),
            LetterPdf.printed_at.is_(None),
        )
        .order_by(LetterPdf.attached_at, LetterRequest.id)
        .limit(wire.MAX_FINISHED_LETTERS)
    ).all()
    return wire.FinishedLetters(
        letters=[
            wire.FinishedLetter(
                tracking_code=request.tracking_code,
                service_id=request.service_id,
                service_label=LocalizedText(
                    id=request.service.label_id, en=request.service.label_en
                ),
                ready_at=pdf.attached_at,
                size_bytes=pdf.size_bytes,
            )
            for request, pdf in rows
        ]
    )


def _collectable(
    db: Session, kiosk: SignedKiosk, resident: Resident, code: str
) -> tuple[LetterRequest, LetterPdf]:
    found = db.execute(
        select(LetterRequest, LetterPdf)
        .join(LetterPdf, LetterPdf.request_id == LetterRequest.id)
        .where(
            LetterRequest.tracking_code == code.strip().upper(),
            LetterRequest.resident_id == resident.id,
            LetterRequest.office_id == kiosk.office_id,
        )
    ).first()
    if found is None:
        raise ApiError(
            404,
            "letter_unknown",
            "Surat tidak ditemukan.",
            "No finished letter with that tracking code.",
        )
    return found[0], found[1]


def pdf(db: Session, kiosk: SignedKiosk, resident: Resident, code: str) -> bytes:
    request, letter = _collectable(db, kiosk, resident, code)
    if letter.printed_at is not None or request.status != LetterStatus.SIAP_DIAMBIL:
        raise ApiError(
            409,
            "letter_not_ready",
            "Surat ini tidak dapat dicetak di sini: ambil di kantor desa.",
            "This letter cannot be printed here: collect it at the village office.",
        )
    return letter.content


def mark_printed(
    db: Session, kiosk: SignedKiosk, resident: Resident, code: str, now: datetime
) -> wire.LetterPrinted:
    """Record the print and move the request to 'sudah diambil'. A repeat from the kiosk
    that printed it answers the same; any other print of a collected letter is refused."""
    request, letter = _collectable(db, kiosk, resident, code)
    if letter.printed_at is not None and letter.printed_by_kiosk_id == kiosk.id:
        return wire.LetterPrinted(
            tracking_code=request.tracking_code,
            status=LetterStatus(request.status),
            printed_at=letter.printed_at,
        )
    if letter.printed_at is not None or request.status != LetterStatus.SIAP_DIAMBIL:
        raise ApiError(
            409,
            "letter_not_ready",
            "Surat ini tidak dapat dicetak di sini: ambil di kantor desa.",
            "This letter cannot be printed here: collect it at the village office.",
        )
    letter.printed_at = now
    letter.printed_by_kiosk_id = kiosk.id
    request.status = int(LetterStatus.SUDAH_DIAMBIL)
    request.history.append(
        LetterStatusChange(
            status=int(LetterStatus.SUDAH_DIAMBIL),
            at=now,
            reason=PRINTED_REASON.format(kiosk_id=kiosk.id),
        )
    )
    db.commit()
    return wire.LetterPrinted(
        tracking_code=request.tracking_code, status=LetterStatus.SUDAH_DIAMBIL, printed_at=now
    )
