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

from pydantic import BaseModel

from central.contract.models import (
    DocumentRequirement,
    FieldType,
    FormField,
    LocalizedText,
    Service,
    ServiceKind,
)
from central.contract.services import (
    BansosApplicationCreate,
    ComplaintCreate,
    LetterRequestCreate,
    QueueTicketCreate,
)
from kiosk.session.text import bilingual

COMPLAINT_CATEGORIES = ("layanan", "infrastruktur", "bansos", "keamanan", "lainnya")


def new_local_ref() -> str:
    """The kiosk's own reference: the outbox key, the Idempotency-Key, printed when queued."""
    return "K" + secrets.token_hex(8).upper()


@dataclass(frozen=True)
class Step:
    name: str
    prompt: LocalizedText
    kind: Literal["field", "document", "choice"]
    form_field: FormField | None = None
    required: bool = True
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScannedDocument:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Submission:
    """What goes to the outbox and to the centre. ``attachments`` are uploaded first."""

    kind: Literal["letter", "complaint", "bansos_application", "queue_ticket"]
    local_ref: str
    payload: BaseModel
    attachments: Mapping[str, ScannedDocument] = field(default_factory=dict)


def _document_step(requirement: DocumentRequirement) -> Step:
    return Step(
        name=f"doc:{requirement.name}",
        prompt=requirement.label,
        kind="document",
        required=requirement.required,
    )


def _field_step(form_field: FormField) -> Step:
    kind: Literal["field", "choice"] = "choice" if form_field.type is FieldType.CHOICE else "field"
    return Step(
        name=form_field.name,
        prompt=form_field.label,
        kind=kind,
        form_field=form_field,
        required=form_field.required,
        options=tuple(form_field.choices or ()),
    )


def steps_for(service: Service, bansos_programs: tuple[str, ...] = ()) -> list[Step]:
    if service.kind is ServiceKind.LETTER:
        return [_field_step(f) for f in service.fields] + [
            _document_step(d) for d in service.documents if d.provide == "scan"
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
                    max_length=4000,
                ),
            ),
            Step("doc:photo", bilingual("Add a photo (optional)."), "document", required=False),
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
    if service.kind is ServiceKind.LETTER:
        return Submission(
            "letter",
            local_ref,
            LetterRequestCreate(
                local_ref=local_ref,
                service_id=service.id,
                answers=dict(answers),
                documents=[],  # the centre's ids for ``attached``, filled in on delivery
                submitted_at=now,
            ),
            attached,
        )
    if service.kind is ServiceKind.COMPLAINT:
        return Submission(
            "complaint",
            local_ref,
            ComplaintCreate(
                local_ref=local_ref,
                category=answers["category"],  # type: ignore[arg-type]
                text=answers["text"],
                photo_document_id=None,  # filled in on delivery when a photo is attached
                submitted_at=now,
            ),
            attached,
        )
    if service.kind is ServiceKind.BANSOS:
        return Submission(
            "bansos_application",
            local_ref,
            BansosApplicationCreate(
                local_ref=local_ref, program_id=answers["program"], submitted_at=now
            ),
        )
    if service.kind is ServiceKind.QUEUE:
        return Submission("queue_ticket", local_ref, QueueTicketCreate(local_ref=local_ref))
    return None


OFFLINE_CAPABLE = {"letter", "complaint", "bansos_application"}
