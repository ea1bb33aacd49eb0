"""Finished letters a resident collects at a kiosk: the PDF the back office made for a request
(``central.models.FinishedLetter``), listed and downloaded by the signed-in resident at a kiosk
of the letter's own office, and the record that a kiosk printed it (``printed_at``; the
request moves to 'sudah diambil').

Every lookup is scoped to the resident and the kiosk's office, and anything outside that
scope answers exactly like a code that does not exist: a resident learns nothing about
another's letters, and a kiosk of another village cannot print them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import collect as wire
from central.contract.models import LocalizedText
from central.contract.services import LetterStatus
from central.errors import ApiError
from central.models import FinishedLetter as LetterPdf
from central.models import LetterRequest, LetterStatusChange, Resident
from central.security.callers import SignedKiosk

PRINTED_REASON = "Dicetak di anjungan {kiosk_id}"


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
        .order_by(LetterPdf.issued_at, LetterRequest.id)
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
                ready_at=pdf.issued_at,
                size_bytes=pdf.size_bytes,
            )
            for request, pdf in rows
        ]
    )


def _collectable(
    db: Session, kiosk: SignedKiosk, resident: Resident, code: str
) -> tuple[LetterRequest, LetterPdf]:
    """The request and its letter, if both are this resident's at this kiosk's office; a
    letter that is collected (printed, or handed over at the office) is refused."""
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
    request, letter = found[0], found[1]
    if letter.printed_at is not None or request.status != LetterStatus.SIAP_DIAMBIL:
        raise ApiError(
            409,
            "letter_not_ready",
            "Surat ini tidak dapat dicetak di sini: ambil di kantor desa.",
            "This letter cannot be printed here: collect it at the village office.",
        )
    return request, letter


def pdf(db: Session, kiosk: SignedKiosk, resident: Resident, code: str) -> bytes:
    return _collectable(db, kiosk, resident, code)[1].content


def mark_printed(
    db: Session, kiosk: SignedKiosk, resident: Resident, code: str, now: datetime
) -> wire.LetterPrinted:
    """Record the print and move the request to 'sudah diambil' (a kiosk's retry carries the
    same Idempotency-Key and gets the first answer back; a second print is refused)."""
    request, letter = _collectable(db, kiosk, resident, code)
    letter.printed_at = now
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
