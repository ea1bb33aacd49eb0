"""The public verify page: anyone holding a letter scans its QR code and sees whether the
centre issued it and what became of it.

It shows what is already printed on the letter (type, number, office, date, signer) and its
status, with the resident's NIK masked and their name left out: the page answers "is this
letter genuine?", and whoever can open it without the paper learns nothing about a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from jinja2 import Environment, FunctionLoader, select_autoescape
from sqlalchemy.orm import Session

from central.backoffice import finished
from central.backoffice.letter_pdf import indonesian_date
from central.contract import services as wire
from central.models import LetterRequest, Office
from common.nik import mask_nik
from common.wib import WIB

Status = wire.LetterStatus
# A letter counts as valid once signed and released; before, it is a draft, and a cancelled
# request's letter is void.
VALID = frozenset({Status.SIAP_DIAMBIL, Status.SUDAH_DIAMBIL})


@dataclass(frozen=True)
class VerifiedLetter:
    letter_type_id: str
    letter_type_en: str
    number: str
    office: str
    issued_on: str
    issued_on_iso: str
    status_id: str
    status_en: str
    valid: bool
    signer: str
    nik_masked: str
    printed_at: str | None


def lookup(db: Session, code: str) -> VerifiedLetter | None:
    letter = finished.by_verify_code(db, code)
    if letter is None:
        return None
    request = db.get(LetterRequest, letter.request_id)
    office = db.get(Office, letter.office_id)
    assert request is not None and office is not None, "foreign keys"
    status = Status(request.status)
    label_id, label_en = wire.LETTER_STATUS_LABELS[status]
    issued = letter.issued_at.astimezone(WIB)
    return VerifiedLetter(
        letter_type_id=request.service.label_id,
        letter_type_en=request.service.label_en,
        number=letter.number,
        office=f"{office.kind.title()} {office.name}",
        issued_on=indonesian_date(issued.date()),
        issued_on_iso=issued.date().isoformat(),
        status_id=label_id,
        status_en=label_en,
        valid=status in VALID,
        signer=f"{letter.signer_name}, {letter.signer_position}",
        nik_masked=mask_nik(request.resident.nik),
        printed_at=_wib(letter.printed_at),
    )


def _wib(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _template_source(name: str) -> str:
    return resources.files("central.backoffice").joinpath("templates", name).read_text("utf-8")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FunctionLoader(_template_source),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def render(found: VerifiedLetter | None, code: str, lang: str) -> str:
    language = "en" if lang == "en" else "id"
    template = _environment().get_template("verify.html")
    return template.render(letter=found, code=code[:32], lang=language)
