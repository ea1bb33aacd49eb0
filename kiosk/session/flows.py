"""One flow per service kind: which steps the resident goes through and what is submitted.

Flows are plain data + pure functions: the session drives them, so every service gets the same
timeouts, back/cancel and wiping for free.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from central.contract.models import (
    DocumentRequirement,
    FieldType,
    FormField,
    LocalizedText,
    Service,
    ServiceKind,
)
from central.contract.services import (
    COMPLAINT_CATEGORIES,
    MAX_ANSWER_LENGTH,
    MAX_COMPLAINT_LENGTH,
    MIN_COMPLAINT_LENGTH,
    OFFLINE_KINDS,
    BansosApplicationCreate,
    ComplaintCreate,
    LetterRequestCreate,
    QueueTicketCreate,
    is_complaint_category,
)
from kiosk.captured import ScannedDocument
from kiosk.i18n import bilingual


def new_local_ref() -> str:
    """The kiosk's own reference: the outbox key, the Idempotency-Key, printed when queued."""
    return "K" + secrets.token_hex(8).upper()


PHOTO_STEP = "doc:photo"
"""A complaint's optional photo: taken with the camera (not scanned as a page) and attached
as ``photo``, which delivery uploads and names in ``photo_document_id``."""


@dataclass(frozen=True)
class Step:
    """One screen of a flow. ``min_length`` is a lower bound the contract sets on the answer
    that the centre's ``FormField`` cannot express (a complaint's text). A ``photo`` step is
    answered by the camera's shutter (``Session.photograph``, ``keep_photo``)."""

    name: str
    prompt: LocalizedText
    kind: Literal["field", "document", "choice", "photo"]
    form_field: FormField | None = None
    required: bool = True
    options: tuple[str, ...] = ()
    min_length: int = 0


@dataclass(frozen=True, kw_only=True)
class _SubmissionBase:
    """What goes to the outbox and to the centre. ``attachments`` are uploaded first."""

    local_ref: str
    attachments: Mapping[str, ScannedDocument] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LetterSubmission(_SubmissionBase):
    payload: LetterRequestCreate
    kind: Literal["letter"] = "letter"


@dataclass(frozen=True, kw_only=True)
class ComplaintSubmission(_SubmissionBase):
    payload: ComplaintCreate
    kind: Literal["complaint"] = "complaint"


@dataclass(frozen=True, kw_only=True)
class BansosSubmission(_SubmissionBase):
    payload: BansosApplicationCreate
    kind: Literal["bansos_application"] = "bansos_application"


@dataclass(frozen=True, kw_only=True)
class QueueTicketSubmission(_SubmissionBase):
    """Never queued: the number only exists at the centre."""

    payload: QueueTicketCreate
    kind: Literal["queue_ticket"] = "queue_ticket"


# Discriminated on ``kind``: a match or isinstance gives the payload its own type. The outbox's
# members are exactly the contract's OFFLINE_KINDS (a test holds them together).
OutboxSubmission = LetterSubmission | ComplaintSubmission | BansosSubmission
Submission = OutboxSubmission | QueueTicketSubmission

# Which submission each kind of service makes (information makes none).
SUBMISSION_KIND: Mapping[ServiceKind, str] = {
    ServiceKind.LETTER: "letter",
    ServiceKind.COMPLAINT: "complaint",
    ServiceKind.BANSOS: "bansos_application",
    ServiceKind.QUEUE: "queue_ticket",
}


def works_offline(kind: ServiceKind) -> bool:
    """A service works with the centre away when what it submits may wait in the outbox: the
    contract's OFFLINE_KINDS decide, nothing here repeats them."""
    return SUBMISSION_KIND.get(kind) in OFFLINE_KINDS


def _document_step(requirement: DocumentRequirement) -> Step:
    return Step(
        name=f"doc:{requirement.name}",
        prompt=requirement.label,
        kind="document",
        required=requirement.required,
    )


def _field_step(form_field: FormField) -> Step:
    """A letter's field; its answer is held to the contract's MAX_ANSWER_LENGTH even when the
    catalog sets no (or a larger) limit, so the centre never refuses what the kiosk accepted."""
    limit = min(form_field.max_length or MAX_ANSWER_LENGTH, MAX_ANSWER_LENGTH)
    if form_field.max_length != limit:
        form_field = form_field.model_copy(update={"max_length": limit})
    kind: Literal["field", "choice"] = "choice" if form_field.type is FieldType.CHOICE else "field"
    return Step(
        name=form_field.name,
        prompt=form_field.label,
        kind=kind,
        form_field=form_field,
        required=form_field.required,
        options=tuple(form_field.choices or ()),
    )


# The optional SMS/WhatsApp opt-in of a letter request or a complaint: a mobile number to be
# told when the letter is ready or the complaint answered. It is not a step of the flow (a
# resident who wants none would spend a touch skipping it): the review offers it
# ("Kabari saya lewat SMS", ``Session.notify_by``). Its answer travels as the payload's
# ``notify_phone`` (sealed in the outbox like the rest), never among the answers; the colon
# keeps its name apart from any field a catalog may declare (as ``doc:`` does).
NOTIFY_PHONE = "notify:phone"
NOTIFYING_KINDS = frozenset({ServiceKind.LETTER, ServiceKind.COMPLAINT})


def takes_notify_phone(kind: ServiceKind) -> bool:
    """Whether the review offers the SMS/WhatsApp opt-in: the submissions with a
    ``notify_phone``."""
    return kind in NOTIFYING_KINDS


def notify_phone_prompt() -> LocalizedText:
    return bilingual("Tell me by SMS/WhatsApp?")


def steps_for(service: Service, bansos_programs: tuple[str, ...] = ()) -> list[Step]:
    if service.kind is ServiceKind.LETTER:
        return [
            *(_field_step(f) for f in service.fields),
            *(_document_step(d) for d in service.documents if d.provide == "scan"),
        ]
    if service.kind is ServiceKind.COMPLAINT:
        return [
            Step(
                "category",
                bilingual("What is your complaint about?"),
                "choice",
                options=COMPLAINT_CATEGORIES,
            ),
            Step(
                "text",
                bilingual("Describe the problem."),
                "field",
                form_field=FormField(
                    name="text",
                    type=FieldType.TEXTAREA,
                    label=bilingual("Complaint"),
                    max_length=MAX_COMPLAINT_LENGTH,
                ),
                min_length=MIN_COMPLAINT_LENGTH,
            ),
            Step(PHOTO_STEP, bilingual("Add a photo (optional)."), "photo", required=False),
        ]
    if service.kind is ServiceKind.BANSOS:
        return [
            Step(
                "program",
                bilingual("Choose the programme to apply for."),
                "choice",
                options=bansos_programs,
            )
        ]
    return []


def submission_for(
    service: Service,
    answers: Mapping[str, str],
    documents: Mapping[str, ScannedDocument],
    now: datetime,
) -> Submission | None:
    """The submission a finished flow makes, or None for services that submit nothing."""
    local_ref = new_local_ref()
    attached = {name.removeprefix("doc:"): doc for name, doc in documents.items()}
    notify_phone = answers.get(NOTIFY_PHONE) or None
    answers = {name: value for name, value in answers.items() if name != NOTIFY_PHONE}
    if service.kind is ServiceKind.LETTER:
        return LetterSubmission(
            local_ref=local_ref,
            payload=LetterRequestCreate(
                local_ref=local_ref,
                service_id=service.id,
                answers=dict(answers),
                documents=[],  # the centre's ids for ``attached``, filled in on delivery
                submitted_at=now,
                notify_phone=notify_phone,
            ),
            attachments=attached,
        )
    if service.kind is ServiceKind.COMPLAINT:
        category = answers["category"]
        if not is_complaint_category(category):  # the choice step offers only these
            raise ValueError(f"unknown complaint category {category!r}")
        return ComplaintSubmission(
            local_ref=local_ref,
            payload=ComplaintCreate(
                local_ref=local_ref,
                category=category,
                text=answers["text"],
                photo_document_id=None,  # filled in on delivery when a photo is attached
                submitted_at=now,
                notify_phone=notify_phone,
            ),
            attachments=attached,
        )
    if service.kind is ServiceKind.BANSOS:
        return BansosSubmission(
            local_ref=local_ref,
            payload=BansosApplicationCreate(
                local_ref=local_ref, program_id=answers["program"], submitted_at=now
            ),
        )
    if service.kind is ServiceKind.QUEUE:
        return QueueTicketSubmission(
            local_ref=local_ref, payload=QueueTicketCreate(local_ref=local_ref)
        )
    return None
