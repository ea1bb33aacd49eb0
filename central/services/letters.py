"""Letter requests: answers checked against the service's declared form, attached scans
checked against its requirements, a tracking code, and OpenSID's six statuses moved along a
table of legal transitions (``TRANSITIONS``), each move recorded with who, when and why.

Refusals name the field or requirement, never the submitted value: an answer may be a NIK or
an income, and error bodies end up in kiosk logs and screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy import update as sa_update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from central.contract import models as base
from central.contract import services as wire
from central.errors import ApiError
from central.models import (
    FinishedLetter,
    LetterDocument,
    LetterRequest,
    LetterStatusChange,
    OfficeService,
    Resident,
    Service,
)
from central.notify.hooks import LetterStatusChanged, notify_resident
from central.security.callers import SignedKiosk
from central.services import documents, tracking
from central.services.catalog import service_wire
from central.services.submissions import create_once
from common.nik import is_valid_nik

Status = wire.LetterStatus

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# ---------------------------------------------------------------- operator-side views


class LetterRequestDetail(wire.LetterRequest):
    """What an operator needs to act on a request: the kiosk's view plus who and what."""

    office_id: str
    kiosk_id: str
    resident_name: str
    resident_nik: str
    answers: dict[str, str]
    documents: list[wire.AttachedDocument]


class LetterRequestPage(base.WireModel):
    total: int
    items: list[LetterRequestDetail]


# ---------------------------------------------------------------- form checks


@dataclass(frozen=True)
class _Problem:
    field: str
    reason: str
    label: base.LocalizedText


_REASONS: dict[str, tuple[str, str]] = {
    "required": ("wajib diisi", "is required"),
    "unknown_field": ("tidak dikenal untuk layanan ini", "is not a field of this service"),
    "too_long": ("terlalu panjang", "is too long"),
    "pattern": ("formatnya salah", "has the wrong format"),
    "not_a_number": ("harus berupa angka", "must be a number"),
    "not_a_date": ("harus tanggal (TTTT-BB-HH)", "must be a date (YYYY-MM-DD)"),
    "not_a_choice": ("bukan salah satu pilihan", "is not one of the choices"),
    "not_a_nik": ("bukan NIK yang sah", "is not a valid NIK"),
}


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_TYPE_CHECKS: dict[base.FieldType, tuple[Callable[[str], bool], str]] = {
    base.FieldType.NUMBER: (lambda value: _NUMBER.fullmatch(value) is not None, "not_a_number"),
    base.FieldType.DATE: (_is_date, "not_a_date"),
    base.FieldType.NIK: (is_valid_nik, "not_a_nik"),
}


def _answer_problem(spec: base.FormField, value: str) -> str | None:
    """Why ``value`` does not fit ``spec``, or None."""
    if spec.max_length is not None and len(value) > spec.max_length:
        return "too_long"
    type_check = _TYPE_CHECKS.get(spec.type)
    if type_check is not None and not type_check[0](value):
        return type_check[1]
    if spec.type is base.FieldType.CHOICE and value not in (spec.choices or []):
        return "not_a_choice"
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        return "pattern"
    return None


def check_answers(fields: Sequence[base.FormField], answers: dict[str, str]) -> dict[str, str]:
    """The answers to keep (trimmed, blanks of optional fields dropped), or a 422 naming every
    field that is wrong and why."""
    by_name = {f.name: f for f in fields}
    problems = [
        _Problem(name, "unknown_field", base.LocalizedText(id=name, en=name))
        for name in answers
        if name not in by_name
    ]
    kept: dict[str, str] = {}
    for spec in fields:
        value = answers.get(spec.name, "").strip()
        if not value:
            if spec.required:
                problems.append(_Problem(spec.name, "required", spec.label))
            continue
        reason = _answer_problem(spec, value)
        if reason:
            problems.append(_Problem(spec.name, reason, spec.label))
        kept[spec.name] = value
    if problems:
        first = problems[0]
        why_id, why_en = _REASONS[first.reason]
        raise ApiError(
            422,
            "answer_invalid",
            f"Isian '{first.label.id}' {why_id}.",
            f"The answer '{first.label.en}' {why_en}.",
            {"fields": [{"field": p.field, "reason": p.reason} for p in problems]},
        )
    return kept


def _document_refusal(code: str, name: str, message_id: str, message_en: str) -> ApiError:
    return ApiError(422, code, message_id, message_en, {"document": name})


def check_documents(
    db: Session,
    kiosk: SignedKiosk,
    requirements: Sequence[base.DocumentRequirement],
    attached: Sequence[wire.AttachedDocument],
) -> list[base.DocumentRequirement]:
    """Every attachment must satisfy a declared requirement with a scan this kiosk uploaded.
    Returns the required scans still missing (the request then starts 'Belum lengkap')."""
    by_name = {r.name: r for r in requirements}
    seen: set[str] = set()
    for item in attached:
        if item.name not in by_name:
            raise _document_refusal(
                "document_not_required",
                item.name,
                f"Dokumen '{item.name}' tidak diminta oleh layanan ini.",
                f"Document '{item.name}' is not a requirement of this service.",
            )
        if item.name in seen:
            raise _document_refusal(
                "document_repeated",
                item.name,
                f"Dokumen '{by_name[item.name].label.id}' dilampirkan dua kali.",
                f"Document '{by_name[item.name].label.en}' is attached twice.",
            )
        seen.add(item.name)
        if documents.owned(db, kiosk, item.document_id) is None:
            raise _document_refusal(
                "document_unknown",
                item.name,
                f"Pindaian '{by_name[item.name].label.id}' tidak ditemukan: unggah lagi.",
                f"The scan for '{by_name[item.name].label.en}' was not found: upload it again.",
            )
    return [r for r in requirements if r.required and r.provide == "scan" and r.name not in seen]


# ---------------------------------------------------------------- creating


def _letter_service(db: Session, kiosk: SignedKiosk, service_id: str) -> Service:
    service = db.scalar(
        select(Service)
        .join(OfficeService, OfficeService.service_id == Service.id)
        .where(OfficeService.office_id == kiosk.office_id, Service.id == service_id)
    )
    if service is None or service.kind != base.ServiceKind.LETTER:
        raise ApiError(
            404,
            "service_unknown",
            "Layanan surat ini tidak tersedia di kantor ini.",
            "This letter service is not offered at this office.",
            {"service_id": service_id},
        )
    return service


def create(
    db: Session,
    kiosk: SignedKiosk,
    resident: Resident,
    request: wire.LetterRequestCreate,
    now: datetime,
) -> wire.LetterRequest:
    def find() -> LetterRequest | None:
        return db.scalar(
            select(LetterRequest).where(
                LetterRequest.kiosk_id == kiosk.id, LetterRequest.local_ref == request.local_ref
            )
        )

    def make() -> LetterRequest:
        service = _letter_service(db, kiosk, request.service_id)
        spec = service_wire(service)
        answers = check_answers(spec.fields, request.answers)
        missing = check_documents(db, kiosk, spec.documents, request.documents)
        status = Status.BELUM_LENGKAP if missing else Status.SEDANG_DIPERIKSA
        row = LetterRequest(
            tracking_code=tracking.issue(db, tracking.letter_prefix(service.id), "letter"),
            kiosk_id=kiosk.id,
            local_ref=request.local_ref,
            office_id=kiosk.office_id,
            service_id=service.id,
            resident_id=resident.id,
            answers=answers,
            status=int(status),
            submitted_at=request.submitted_at,
            received_at=now,
        )
        row.documents = [
            LetterDocument(name=d.name, document_id=d.document_id) for d in request.documents
        ]
        reason = (
            "Dokumen belum dilampirkan: " + ", ".join(r.label.id for r in missing)
            if missing
            else None
        )
        row.history = [LetterStatusChange(status=int(status), at=now, reason=reason)]
        db.add(row)
        return row

    return letter_wire(create_once(db, find, make))


# ---------------------------------------------------------------- reading


def _status_label(status: int) -> base.LocalizedText:
    label_id, label_en = wire.LETTER_STATUS_LABELS[Status(status)]
    return base.LocalizedText(id=label_id, en=label_en)


def letter_wire(row: LetterRequest) -> wire.LetterRequest:
    return wire.LetterRequest(
        tracking_code=row.tracking_code,
        local_ref=row.local_ref,
        service_id=row.service_id,
        service_label=base.LocalizedText(id=row.service.label_id, en=row.service.label_en),
        status=Status(row.status),
        status_label=_status_label(row.status),
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        history=[
            wire.StatusChange(
                status=Status(change.status),
                label=_status_label(change.status),
                at=change.at,
                reason=change.reason,
            )
            for change in row.history
        ],
    )


def detail_wire(row: LetterRequest) -> LetterRequestDetail:
    return LetterRequestDetail(
        **letter_wire(row).model_dump(),
        office_id=row.office_id,
        kiosk_id=row.kiosk_id,
        resident_name=row.resident.name,
        resident_nik=row.resident.nik,
        answers=dict(row.answers),
        documents=[
            wire.AttachedDocument(name=d.name, document_id=d.document_id) for d in row.documents
        ],
    )


def by_code(db: Session, code: str) -> LetterRequest:
    row = db.scalar(
        select(LetterRequest).where(LetterRequest.tracking_code == code.strip().upper())
    )
    if row is None:
        raise ApiError(
            404,
            "letter_unknown",
            "Permohonan surat tidak ditemukan.",
            "No letter request with that tracking code.",
        )
    return row


def page(
    db: Session, office_id: str | None, status: Status | None, limit: int, offset: int
) -> LetterRequestPage:
    """Oldest first: the queue of work in the order residents asked."""
    query = select(LetterRequest)
    if office_id is not None:
        query = query.where(LetterRequest.office_id == office_id)
    if status is not None:
        query = query.where(LetterRequest.status == int(status))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(LetterRequest.id).limit(limit).offset(offset)).all()
    return LetterRequestPage(total=total, items=[detail_wire(r) for r in rows])


# ---------------------------------------------------------------- moving on


# The legal moves (OpenSID's statuses, forward only): each step is a real event at the office
# (checked, signed, handed over). Cancelling is allowed while nothing is signed (0-2): from 3
# on a signed letter exists, and cancelling would leave it unaccounted for.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BELUM_LENGKAP: frozenset({Status.SEDANG_DIPERIKSA, Status.DIBATALKAN}),
    Status.SEDANG_DIPERIKSA: frozenset({Status.MENUNGGU_TANDATANGAN, Status.DIBATALKAN}),
    Status.MENUNGGU_TANDATANGAN: frozenset({Status.SIAP_DIAMBIL, Status.DIBATALKAN}),
    Status.SIAP_DIAMBIL: frozenset({Status.SUDAH_DIAMBIL}),
    Status.SUDAH_DIAMBIL: frozenset(),
    Status.DIBATALKAN: frozenset(),
}


def check_move(current: Status, target: Status) -> None:
    """Refuses (409) a move that ``TRANSITIONS`` does not allow, saying which rule it broke."""
    allowed = TRANSITIONS[current]
    if target in allowed:
        return
    if not allowed:
        raise ApiError(
            409,
            "letter_closed",
            "Permohonan ini sudah selesai dan tidak dapat diubah.",
            "This request is closed and cannot change.",
            {"status": int(current)},
        )
    if target is Status.DIBATALKAN:
        raise ApiError(
            409,
            "letter_cancel_too_late",
            "Surat sudah ditandatangani: permohonan tidak dapat dibatalkan lagi.",
            "The letter is already signed: the request can no longer be cancelled.",
            {"status": int(current)},
        )
    if target <= current:
        raise ApiError(
            409,
            "letter_status_backwards",
            "Status permohonan hanya dapat maju, tidak mundur.",
            "A request's status only moves forward, never back.",
            {"status": int(current)},
        )
    raise ApiError(
        409,
        "letter_status_skipped",
        "Status harus maju satu langkah demi satu langkah.",
        "The status moves one step at a time.",
        {"status": int(current), "next": int(current) + 1},
    )


def _check_letter_ready(db: Session, row: LetterRequest, target: Status) -> None:
    """'Siap diambil' promises a letter: one must have been generated or uploaded."""
    if target is not Status.SIAP_DIAMBIL:
        return
    if db.get(FinishedLetter, row.id) is None:
        raise ApiError(
            409,
            "letter_missing",
            "Buat atau unggah suratnya dulu sebelum menandai siap diambil.",
            "Generate or upload the letter before marking it ready for collection.",
        )


def move(
    db: Session, code: str, update: wire.LetterStatusUpdate, operator_id: int, now: datetime
) -> LetterRequestDetail:
    """One legal move, recorded with who, when and why. The status is changed by a
    conditional UPDATE (only if it is still what was checked), so two operators moving the
    same request at once cannot both succeed."""
    row = by_code(db, code)
    current = Status(row.status)
    check_move(current, update.status)
    _check_letter_ready(db, row, update.status)
    changed = cast(
        CursorResult[Any],
        db.execute(
            sa_update(LetterRequest)
            .where(LetterRequest.id == row.id, LetterRequest.status == int(current))
            .values(
            status=int(update.status),
            closed_at=now if not TRANSITIONS[update.status] else None,
        )
            .execution_options(synchronize_session=False)
        ),
    )
    if changed.rowcount != 1:
        db.rollback()
        raise ApiError(
            409,
            "letter_changed",
            "Permohonan baru saja diubah orang lain. Muat ulang halaman.",
            "Someone else has just changed this request. Reload the page.",
        )
    db.add(
        LetterStatusChange(
            request_id=row.id,
            status=int(update.status),
            at=now,
            reason=update.reason,
            operator_id=operator_id,
        )
    )
    db.refresh(row)  # the conditional UPDATE bypassed the session: read the new status back
    notify_resident(db, LetterStatusChanged(row, now))
    db.commit()
    db.refresh(row)
    return detail_wire(row)
