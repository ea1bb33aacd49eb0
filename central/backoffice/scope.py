"""Which offices' records an API caller (bearer token or API key) may touch: the console's
roles applied to the operator API's back-office routes, so a village operator's API key
reaches no more than their console does. A district admin: every office. A village operator:
their own (another office's request is the same 404 as an unknown code). A technician: none
(403), as in the console's ``AREAS``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.console.session import OfficeScope
from central.errors import ApiError
from central.models import Complaint, LetterDocument, LetterRequest, Operator
from central.security.roles import Area, Role, may_open


def api_scope(db: Session, operator_id: int) -> OfficeScope:
    operator = db.get(Operator, operator_id)
    role = Role(operator.role) if operator is not None else None
    if role is None or not may_open(role, Area.OFFICE):
        raise ApiError(
            403,
            "role_refused",
            "Peran Anda tidak membuka layanan kantor desa.",
            "Your role does not open the village office's services.",
        )
    assert operator is not None
    return OfficeScope(operator.office_id if role is Role.VILLAGE_OPERATOR else None)


def fleet_office(db: Session, operator_id: int) -> str | None:
    """The office whose kiosks an API operator may see on the fleet: a village operator's
    own (as on the console's fleet pages), every office for the district-wide roles."""
    operator = db.get(Operator, operator_id)
    if operator is not None and Role(operator.role) is Role.VILLAGE_OPERATOR:
        return operator.office_id
    return None


def letter_not_found() -> ApiError:
    """The same answer as ``letters.by_code`` gives for a code that does not exist."""
    return ApiError(
        404,
        "letter_unknown",
        "Permohonan surat tidak ditemukan.",
        "No letter request with that tracking code.",
    )


def document_in(db: Session, document_id: str, office_id: str) -> bool:
    """Whether a letter request or a complaint of ``office_id`` has this document attached."""
    letter = db.scalar(
        select(LetterRequest.id)
        .join(LetterDocument, LetterDocument.request_id == LetterRequest.id)
        .where(LetterDocument.document_id == document_id, LetterRequest.office_id == office_id)
    )
    complaint = db.scalar(
        select(Complaint.id).where(
            Complaint.photo_document_id == document_id, Complaint.office_id == office_id
        )
    )
    return letter is not None or complaint is not None


def require(scope: OfficeScope, office_id: str) -> None:
    if not scope.allows(office_id):
        raise letter_not_found()
