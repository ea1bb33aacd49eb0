"""The finished letter of a request: generated from its type's template, or uploaded signed.

A letter gets its number and verification code the first time one is made for the request
and keeps them: generating again (a corrected signer) or uploading the wet-signed scan of the
printed letter replaces the file, never the number. A letter is made only while nothing has
been handed over (status Sedang diperiksa or Menunggu tanda tangan); once the request is
"Siap diambil" the letter is final.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.backoffice import letter_pdf
from central.backoffice.letter_templates import template_for
from central.backoffice.numbers import letter_number, next_number
from central.contract import services as wire
from central.errors import ApiError
from central.models import FinishedLetter, LetterRequest, Office
from central.services.catalog import service_wire
from central.services.document_check import check_pdf
from central.services.documents import too_large
from central.services.tracking import ALPHABET
from common.wib import WIB

Status = wire.LetterStatus

VERIFY_CODE_LENGTH = 10  # 31**10 ≈ 8·10^14: a code cannot be guessed, only read off a letter
# Statuses in which a letter may be (re)made: checked, not yet handed over.
MAKEABLE = frozenset({Status.SEDANG_DIPERIKSA, Status.MENUNGGU_TANDATANGAN})
SIGNER_MAX_LENGTH = 128
PURPOSE_FIELD = "keperluan"


@dataclass(frozen=True)
class Signer:
    name: str
    position: str


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{code}"


def _refuse_status(status: Status) -> ApiError:
    return ApiError(
        409,
        "letter_not_makeable",
        "Surat hanya dapat dibuat saat permohonan sedang diperiksa atau menunggu tanda tangan.",
        "A letter can only be made while the request is being checked or awaits signature.",
        {"status": int(status)},
    )


def check_signer(signer: Signer) -> Signer:
    """Trimmed, both present, bounded and printable (a NUL would make PostgreSQL fail), or a
    422 naming the field."""
    cleaned = Signer(signer.name.strip(), signer.position.strip())
    for field, value, label_id, label_en in (
        ("signer_name", cleaned.name, "Nama penanda tangan", "The signer's name"),
        ("signer_position", cleaned.position, "Jabatan penanda tangan", "The signer's position"),
    ):
        if not value or len(value) > SIGNER_MAX_LENGTH or not value.isprintable():
            raise ApiError(
                422,
                "signer_invalid",
                f"{label_id} wajib diisi (paling banyak {SIGNER_MAX_LENGTH} huruf).",
                f"{label_en} is required (at most {SIGNER_MAX_LENGTH} characters).",
                {"field": field},
            )
    return cleaned


def kop_for(db: Session, office_id: str) -> letter_pdf.Kop:
    """The letterhead from the office and its parents (desa → kecamatan → kabupaten)."""
    office = db.get(Office, office_id)
    assert office is not None, "a request's office exists (foreign key)"
    district = db.get(Office, office.parent_id) if office.parent_id else None
    regency = db.get(Office, district.parent_id) if district and district.parent_id else None
    return letter_pdf.Kop(
        regency=regency.name if regency else "",
        district=district.name if district else "",
        office_kind=office.kind,
        office_name=office.name,
    )


def content_for(
    db: Session, row: LetterRequest, letter: FinishedLetter, base_url: str
) -> letter_pdf.LetterContent:
    """What the PDF says, from the request, its resident, its office and the letter's record."""
    service = service_wire(row.service)
    template = template_for(row.service_id, row.service.label_id)
    labels = {field.name: field.label.id for field in service.fields}
    purpose = row.answers.get(PURPOSE_FIELD, "")
    uses_purpose = "{keperluan}" in template.closing
    answers = [
        (labels.get(name, name), value)
        for name, value in row.answers.items()
        if not (uses_purpose and name == PURPOSE_FIELD)
    ]
    resident = row.resident
    kop = kop_for(db, row.office_id)
    issued = letter.issued_at.astimezone(WIB)
    return letter_pdf.LetterContent(
        kop=kop,
        title=template.title,
        number=letter.number,
        particulars=[
            ("Nama", resident.name),
            ("NIK", resident.nik),
            (
                "Tempat, tanggal lahir",
                f"{resident.birth_place}, {letter_pdf.indonesian_date(resident.birth_date)}",
            ),
            ("Jenis kelamin", letter_pdf.sex_label(resident.sex)),
            ("Alamat", f"{resident.address} RT {resident.rt} RW {resident.rw}"),
        ],
        answers=answers,
        statement=template.statement,
        closing=template.closing.replace("{keperluan}", purpose or "-"),
        place=kop.office_name,
        issued_on=issued.date(),
        signer_position=letter.signer_position,
        signer_name=letter.signer_name,
        verify_url=verify_url(base_url, letter.verify_code),
        verify_code=letter.verify_code,
        issued_at=letter.issued_at,
    )


def _new_record(
    db: Session, row: LetterRequest, signer: Signer, operator_id: int | None, now: datetime
) -> FinishedLetter:
    """A record with a fresh number and code. The number is the transaction's first write,
    so on SQLite it holds the write lock from there to the commit."""
    year = now.astimezone(WIB).year
    seq = next_number(db, row.office_id, year)
    template = template_for(row.service_id, row.service.label_id)
    letter = FinishedLetter(
        request_id=row.id,
        office_id=row.office_id,
        year=year,
        seq=seq,
        number=letter_number(template.classification, seq, row.office_id, year),
        verify_code="".join(secrets.choice(ALPHABET) for _ in range(VERIFY_CODE_LENGTH)),
        source="generated",
        signer_name=signer.name,
        signer_position=signer.position,
        content=b"",
        sha256="",
        size_bytes=0,
        issued_at=now,
        operator_id=operator_id,
    )
    db.add(letter)
    return letter


def _record_for(
    db: Session, row: LetterRequest, signer: Signer, operator_id: int | None, now: datetime
) -> FinishedLetter:
    status = Status(row.status)
    if status not in MAKEABLE:
        raise _refuse_status(status)
    letter = db.get(FinishedLetter, row.id)
    if letter is None:
        return _new_record(db, row, signer, operator_id, now)
    letter.signer_name = signer.name
    letter.signer_position = signer.position
    letter.operator_id = operator_id
    return letter


def _store(letter: FinishedLetter, content: bytes, source: str) -> None:
    letter.content = content
    letter.sha256 = hashlib.sha256(content).hexdigest()
    letter.size_bytes = len(content)
    letter.source = source


def generate(
    db: Session,
    row: LetterRequest,
    signer: Signer,
    operator_id: int | None,
    now: datetime,
    base_url: str,
) -> FinishedLetter:
    """Makes (or remakes) the request's letter from its template; committed."""
    signer = check_signer(signer)
    letter = _record_for(db, row, signer, operator_id, now)
    db.flush()
    _store(letter, letter_pdf.render(content_for(db, row, letter, base_url)), "generated")
    db.commit()
    return letter


def upload_signed(
    db: Session,
    row: LetterRequest,
    content: bytes,
    signer: Signer,
    operator_id: int | None,
    now: datetime,
    max_bytes: int,
) -> FinishedLetter:
    """The wet-signed letter, scanned, in place of the generated one (number kept); checked
    like any upload (a real PDF, no scripts), bounded by the upload limit."""
    if len(content) > max_bytes:
        raise too_large(max_bytes)
    if not content.startswith(b"%PDF-"):
        raise ApiError(
            422,
            "letter_not_pdf",
            "Surat bertanda tangan harus berupa berkas PDF.",
            "The signed letter must be a PDF file.",
        )
    check_pdf(content)
    signer = check_signer(signer)
    letter = _record_for(db, row, signer, operator_id, now)
    _store(letter, content, "uploaded")
    db.commit()
    return letter


def for_request(db: Session, request_id: int) -> FinishedLetter | None:
    return db.get(FinishedLetter, request_id)


def by_verify_code(db: Session, code: str) -> FinishedLetter | None:
    cleaned = code.strip().upper()
    if len(cleaned) != VERIFY_CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return db.scalar(select(FinishedLetter).where(FinishedLetter.verify_code == cleaned))
