"""A resident's rights over their data (UU PDP 2022, arts. 7-9): a copy of everything the
centre holds about them, and erasure where the law allows.

The export is a zip made in memory and handed to the operator's browser: ``resident.json``
(their particulars, requests with answers and history, complaints with replies, bansos
enrollments, sign-ins) and their files (scans, complaint photos, issued letters). Nothing is
written to the centre's disk.

Erasure removes what the centre holds only for the resident's own request: scans and photos,
letter answers, complaint texts and replies, sign-in records; open requests are cancelled.
It keeps what another law obliges the office to keep, and says so: the resident's entry in
the population register (the centre mirrors SIAK, it is not its owner), issued letters (the
village's archive of outgoing letters) and bansos enrollments (the social registry).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.errors import ApiError
from central.models import (
    BansosEnrollment,
    Complaint,
    ComplaintReply,
    Document,
    FinishedLetter,
    LetterDocument,
    LetterRequest,
    LetterStatusChange,
    Resident,
    ResidentSession,
)
from central.services.documents import EXTENSIONS
from central.services.letters import TRANSITIONS

Status = wire.LetterStatus
ERASURE_REASON = "Data dihapus atas permintaan pemohon (UU PDP)"
EXPORT_FORMAT_VERSION = 1


@dataclass(frozen=True)
class ErasureReport:
    """Counts of what was erased and of what was kept, and why it was kept."""

    scans_deleted: int
    answers_erased: int
    requests_cancelled: int
    complaints_erased: int
    sign_ins_deleted: int
    letters_kept: int
    bansos_kept: int


def _count(result: Any) -> int:
    """Rows a DELETE touched (``CursorResult.rowcount``)."""
    return int(result.rowcount)


def _resident(db: Session, resident_id: int) -> Resident:
    resident = db.get(Resident, resident_id)
    if resident is None:
        raise ApiError(404, "resident_unknown", "Warga tidak ditemukan.", "No such resident.")
    return resident


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _letter_requests(db: Session, resident_id: int) -> list[LetterRequest]:
    return list(
        db.scalars(
            select(LetterRequest)
            .where(LetterRequest.resident_id == resident_id)
            .order_by(LetterRequest.id)
        )
    )


def _complaints(db: Session, resident_id: int) -> list[Complaint]:
    return list(
        db.scalars(
            select(Complaint).where(Complaint.resident_id == resident_id).order_by(Complaint.id)
        )
    )


def export(db: Session, resident_id: int) -> bytes:
    """The resident's data as a zip: resident.json and their files."""
    resident = _resident(db, resident_id)
    files: dict[str, bytes] = {}
    requests_out: list[dict[str, Any]] = []
    for row in _letter_requests(db, resident_id):
        scans = []
        for attached in row.documents:
            document = db.get(Document, attached.document_id)
            if document is None:
                continue
            path = f"scans/{row.tracking_code}/{attached.name}.{EXTENSIONS[document.content_type]}"
            files[path] = document.content
            scans.append(path)
        letter = db.get(FinishedLetter, row.id)
        letter_path = None
        if letter is not None and letter.size_bytes:
            letter_path = f"letters/{row.tracking_code}.pdf"
            files[letter_path] = letter.content
        requests_out.append(
            {
                "tracking_code": row.tracking_code,
                "service": row.service.label_id,
                "status": wire.LETTER_STATUS_LABELS[Status(row.status)][0],
                "submitted_at": _iso(row.submitted_at),
                "answers": row.answers,
                "history": [
                    {
                        "status": wire.LETTER_STATUS_LABELS[Status(h.status)][0],
                        "at": _iso(h.at),
                        "reason": h.reason,
                    }
                    for h in row.history
                ],
                "scans": scans,
                "letter": None
                if letter is None
                else {
                    "number": letter.number,
                    "issued_at": _iso(letter.issued_at),
                    "file": letter_path,
                },
            }
        )
    complaints_out: list[dict[str, Any]] = []
    for complaint in _complaints(db, resident_id):
        photo_path = None
        if complaint.photo_document_id:
            photo = db.get(Document, complaint.photo_document_id)
            if photo is not None:
                photo_path = f"photos/{complaint.tracking_code}.{EXTENSIONS[photo.content_type]}"
                files[photo_path] = photo.content
        replies = db.scalars(
            select(ComplaintReply)
            .where(ComplaintReply.complaint_id == complaint.id)
            .order_by(ComplaintReply.id)
        )
        complaints_out.append(
            {
                "tracking_code": complaint.tracking_code,
                "category": complaint.category,
                "status": complaint.status,
                "text": complaint.text,
                "submitted_at": _iso(complaint.submitted_at),
                "photo": photo_path,
                "replies": [{"at": _iso(r.at), "text": r.text} for r in replies],
            }
        )
    enrollments = db.scalars(
        select(BansosEnrollment).where(BansosEnrollment.resident_id == resident_id)
    )
    sign_ins = db.scalars(
        select(ResidentSession)
        .where(ResidentSession.resident_id == resident_id)
        .order_by(ResidentSession.created_at)
    )
    summary = {
        "format": EXPORT_FORMAT_VERSION,
        "resident": {
            "nik": resident.nik,
            "name": resident.name,
            "sex": resident.sex,
            "birth_place": resident.birth_place,
            "birth_date": resident.birth_date.isoformat(),
            "address": resident.address,
            "rt": resident.rt,
            "rw": resident.rw,
            "village_id": resident.village_id,
            "family_card_no": resident.family_card_no,
            "cards": [card.uid_hex for card in resident.cards],
        },
        "letter_requests": requests_out,
        "complaints": complaints_out,
        "bansos": [
            {"program": e.program.name_id, "status": e.status, "since": e.since.isoformat()}
            for e in enrollments
        ],
        "sign_ins": [
            {"kiosk_id": s.kiosk_id, "at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at)}
            for s in sign_ins
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("resident.json", json.dumps(summary, ensure_ascii=False, indent=2))
        for path, content in sorted(files.items()):
            archive.writestr(path, content)
    return buffer.getvalue()


def _delete_documents(db: Session, document_ids: set[str]) -> int:
    """Deletes those nothing refers to any more (content-addressed scans may be shared)."""
    deleted = 0
    for document_id in document_ids:
        still_used = db.scalar(
            select(LetterDocument.request_id).where(LetterDocument.document_id == document_id)
        ) or db.scalar(select(Complaint.id).where(Complaint.photo_document_id == document_id))
        if still_used is None:
            deleted += _count(db.execute(delete(Document).where(Document.id == document_id)))
    return deleted


def erase(db: Session, resident_id: int, operator_id: int, now: datetime) -> ErasureReport:
    """Erases what the law lets go (see the module's docstring); one transaction."""
    _resident(db, resident_id)
    requests_rows = _letter_requests(db, resident_id)
    document_ids: set[str] = set()
    cancelled = 0
    for row in requests_rows:
        document_ids.update(d.document_id for d in row.documents)
        if Status.DIBATALKAN in TRANSITIONS[Status(row.status)]:
            row.status = int(Status.DIBATALKAN)
            row.closed_at = now
            db.add(
                LetterStatusChange(
                    request_id=row.id,
                    status=int(Status.DIBATALKAN),
                    at=now,
                    reason=ERASURE_REASON,
                    operator_id=operator_id,
                )
            )
            cancelled += 1
        row.answers = {}
    request_ids = [row.id for row in requests_rows]
    if request_ids:
        db.execute(delete(LetterDocument).where(LetterDocument.request_id.in_(request_ids)))
    complaint_rows = _complaints(db, resident_id)
    for complaint in complaint_rows:
        if complaint.photo_document_id:
            document_ids.add(complaint.photo_document_id)
        complaint.photo_document_id = None
        complaint.text = ""
        complaint.updated_at = now
    if complaint_rows:
        db.execute(
            update(ComplaintReply)
            .where(ComplaintReply.complaint_id.in_([c.id for c in complaint_rows]))
            .values(text="")
        )
    db.flush()
    scans_deleted = _delete_documents(db, document_ids)
    sign_ins = db.execute(delete(ResidentSession).where(ResidentSession.resident_id == resident_id))
    letters_kept = len(
        db.scalars(
            select(FinishedLetter.request_id).where(FinishedLetter.request_id.in_(request_ids))
        ).all()
    )
    bansos_kept = len(
        db.scalars(
            select(BansosEnrollment.id).where(BansosEnrollment.resident_id == resident_id)
        ).all()
    )
    db.commit()
    return ErasureReport(
        scans_deleted=scans_deleted,
        answers_erased=len(requests_rows),
        requests_cancelled=cancelled,
        complaints_erased=len(complaint_rows),
        sign_ins_deleted=_count(sign_ins),
        letters_kept=letters_kept,
        bansos_kept=bansos_kept,
    )
