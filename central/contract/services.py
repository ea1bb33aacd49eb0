"""Wire models of the citizen services: letters, queue tickets, bansos, complaints,
information and document uploads (``/v1``), shared by the kiosk and the centre.

Submissions a kiosk may make while offline (letters, complaints, bansos applications) carry a
``local_ref`` chosen by the kiosk; the centre stores it and answers a repeat with the first
result, so an outbox retry can never create a second request.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Literal, TypeGuard, get_args

from pydantic import AfterValidator, Field, StringConstraints

from central.contract.models import LocalizedText, WireModel
from common.phone import MOBILE_PATTERN, normalise_mobile

# A submission's kiosk-chosen reference; the kiosk's outbox checks it with the same pattern.
LOCAL_REF_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
LocalRef = Annotated[str, StringConstraints(pattern=LOCAL_REF_PATTERN)]
TrackingCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{6,20}$")]
DocumentId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]

OfflineKind = Literal["letter", "complaint", "bansos_application"]
"""The submissions that may wait for the centre: each carries a ``local_ref``, a kiosk's outbox
holds them while the centre is away and ``POST /v1/submissions/batch`` takes them. The one
statement of "what works offline": the kiosk's outbox lanes, its service menu in degraded mode
and the batch route all derive from it."""
OFFLINE_KINDS: tuple[OfflineKind, ...] = get_args(OfflineKind)

MAX_ANSWER_LENGTH = 2000
MAX_PHONE_LENGTH = 32  # room for "+62 812-3456-7890" and its like, before normalising

# A resident's opt-in for notifications (SMS/WhatsApp when a letter is ready or a complaint
# answered): an Indonesian mobile number, normalised to +628… (common/phone.py). Personal
# data: the centre keeps it encrypted and shows it masked.
NotifyPhone = Annotated[
    str,
    StringConstraints(max_length=MAX_PHONE_LENGTH, pattern=MOBILE_PATTERN),
    AfterValidator(normalise_mobile),
]
_NOTIFY_PHONE_DESCRIPTION = (
    "Optional: an Indonesian mobile number (08…, +628…) to be told by SMS/WhatsApp when this "
    "is ready or answered. Stored encrypted, shown masked."
)
MIN_COMPLAINT_LENGTH = 5
MAX_COMPLAINT_LENGTH = 4000


# ---------------------------------------------------------------- documents

DOCUMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")


class DocumentUploaded(WireModel):
    """Answer to ``POST /v1/documents`` (raw body, Content-Type one of DOCUMENT_TYPES)."""

    document_id: DocumentId
    sha256: str
    size_bytes: int
    content_type: Literal["image/jpeg", "image/png", "application/pdf"]


class AttachedDocument(WireModel):
    name: str = Field(max_length=64, description="The requirement it satisfies, e.g. 'kk'.")
    document_id: DocumentId


# ---------------------------------------------------------------- letters


class LetterStatus(enum.IntEnum):
    """OpenSID's six statuses; a request only ever moves forward."""

    BELUM_LENGKAP = 0
    SEDANG_DIPERIKSA = 1
    MENUNGGU_TANDATANGAN = 2
    SIAP_DIAMBIL = 3
    SUDAH_DIAMBIL = 4
    DIBATALKAN = 5


LETTER_STATUS_LABELS: dict[LetterStatus, tuple[str, str]] = {
    LetterStatus.BELUM_LENGKAP: ("Belum lengkap", "Incomplete"),
    LetterStatus.SEDANG_DIPERIKSA: ("Sedang diperiksa", "Being checked"),
    LetterStatus.MENUNGGU_TANDATANGAN: ("Menunggu tanda tangan", "Awaiting signature"),
    LetterStatus.SIAP_DIAMBIL: ("Siap diambil", "Ready for collection"),
    LetterStatus.SUDAH_DIAMBIL: ("Sudah diambil", "Collected"),
    LetterStatus.DIBATALKAN: ("Dibatalkan", "Cancelled"),
}


class LetterRequestCreate(WireModel):
    local_ref: LocalRef
    service_id: str = Field(max_length=32)
    answers: dict[str, Annotated[str, StringConstraints(max_length=MAX_ANSWER_LENGTH)]] = Field(
        default_factory=dict, max_length=32
    )
    documents: list[AttachedDocument] = Field(default_factory=list, max_length=16)
    submitted_at: datetime = Field(description="When the resident pressed submit at the kiosk.")
    notify_phone: NotifyPhone | None = Field(default=None, description=_NOTIFY_PHONE_DESCRIPTION)


class StatusChange(WireModel):
    status: LetterStatus
    label: LocalizedText
    at: datetime
    reason: str | None = None


class LetterRequest(WireModel):
    tracking_code: TrackingCode
    local_ref: str
    service_id: str
    service_label: LocalizedText
    status: LetterStatus
    status_label: LocalizedText
    submitted_at: datetime
    received_at: datetime
    history: list[StatusChange]


class LetterStatusUpdate(WireModel):
    """Operator action: move a request on (forward only), with the reason kept."""

    status: LetterStatus
    reason: str = Field(min_length=1, max_length=500)


# ---------------------------------------------------------------- queue tickets


QueueCounter = Literal["A", "B", "C"]
QUEUE_COUNTERS: tuple[QueueCounter, ...] = get_args(QueueCounter)


class QueueTicketCreate(WireModel):
    local_ref: LocalRef
    counter: QueueCounter = Field(default="A", description="A: letters, B: bansos, C: other.")


class QueueTicket(WireModel):
    number: str = Field(description="'A-001': counter letter and the day's running number.")
    office_id: str
    day: date
    issued_at: datetime
    waiting_ahead: int = Field(ge=0)


# ---------------------------------------------------------------- bansos


class BansosProgram(WireModel):
    id: str
    name: LocalizedText
    cluster: str = Field(description="Programs in one cluster overlap: one NIK, one of them.")
    open_for_applications: bool


class BansosEnrollment(WireModel):
    program_id: str
    program_name: LocalizedText
    cluster: str
    status: Literal["active", "ended", "pending"]
    since: date


class BansosStatus(WireModel):
    enrollments: list[BansosEnrollment]
    programs: list[BansosProgram]


class BansosApplicationCreate(WireModel):
    local_ref: LocalRef
    program_id: str = Field(max_length=32)
    submitted_at: datetime


class BansosApplication(WireModel):
    tracking_code: TrackingCode
    program_id: str
    status: Literal["pending"]
    received_at: datetime


# ---------------------------------------------------------------- complaints

ComplaintCategory = Literal["layanan", "infrastruktur", "bansos", "keamanan", "lainnya"]
"""The one list of complaint categories (and ComplaintStatus below, of their statuses): the
kiosk's choice step, its receipt labels and the centre's tracking labels are held to them."""
COMPLAINT_CATEGORIES: tuple[ComplaintCategory, ...] = get_args(ComplaintCategory)


def is_complaint_category(code: str) -> TypeGuard[ComplaintCategory]:
    """Whether ``code`` is a contract category (narrows ``str`` for the type checker)."""
    return code in COMPLAINT_CATEGORIES


class ComplaintCreate(WireModel):
    local_ref: LocalRef
    category: ComplaintCategory
    text: str = Field(min_length=MIN_COMPLAINT_LENGTH, max_length=MAX_COMPLAINT_LENGTH)
    photo_document_id: DocumentId | None = None
    submitted_at: datetime
    notify_phone: NotifyPhone | None = Field(default=None, description=_NOTIFY_PHONE_DESCRIPTION)


ComplaintStatus = Literal["received", "in_progress", "resolved"]
COMPLAINT_STATUSES: tuple[ComplaintStatus, ...] = get_args(ComplaintStatus)


class Complaint(WireModel):
    tracking_code: TrackingCode
    category: ComplaintCategory
    status: ComplaintStatus
    received_at: datetime


# ---------------------------------------------------------------- public information


class BudgetLine(WireModel):
    sector: LocalizedText
    planned: int = Field(ge=0, description="Rupiah.")
    realised: int = Field(ge=0, description="Rupiah.")


class VillageBudget(WireModel):
    office_id: str
    year: int
    lines: list[BudgetLine]


class Project(WireModel):
    id: str
    name: str
    budget: int = Field(ge=0)
    progress_pct: int = Field(ge=0, le=100)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    photo_ids: list[str] = Field(
        description="In the order to show them: GET /v1/information/projects/{id}/photos/{photo_id}"
    )


MAX_PROJECT_PHOTO_BYTES = 400 * 1024
"""The largest project photo the centre serves (it re-encodes every upload below this), so a
kiosk reads no further."""


def project_photo_path(project_id: str, photo_id: str) -> str:
    return f"/v1/information/projects/{project_id}/photos/{photo_id}"


class Announcement(WireModel):
    id: str
    title: LocalizedText
    body: LocalizedText
    published_at: datetime


class VillageInformation(WireModel):
    office_id: str
    budgets: list[VillageBudget]
    projects: list[Project]
    announcements: list[Announcement]


# ---------------------------------------------------------------- tracking

PUBLIC_TRACKING_PATH = "/lacak/{code}"
"""Where the centre serves its public tracking page, as a template: a receipt's QR holds the
centre's public base URL plus this (``https://desa.example.id/lacak/SKT-7K3M9Q``)."""
TRACKING_OFFICE_PARAMETER = "kantor"
"""The query parameter naming the office, for codes that are only unique within one: a queue
ticket's code and an offline slip's reference (``…/lacak/231126-A-012?kantor=35.10.01.2001``)."""


class TrackedStep(WireModel):
    """One step a request went through, dated; never the reason an operator typed."""

    label: LocalizedText
    at: datetime


class TrackedItem(WireModel):
    """What anyone holding a receipt can see by the code printed on it (a tracking code, an
    offline slip's reference, a queue ticket's code): no personal data."""

    tracking_code: TrackingCode = Field(
        description="The tracking code (for a queue ticket: its code, 'ddmmyy-A-012')."
    )
    kind: Literal["letter", "bansos", "complaint", "queue"]
    title: LocalizedText
    status_label: LocalizedText
    updated_at: datetime
    steps: list[TrackedStep] = Field(
        default_factory=list, description="Dated steps so far, oldest first (letters)."
    )


MAX_MY_REQUESTS = 20
"""How many of a resident's requests "Permohonan saya" lists: the newest, enough for a screen
and bounded so a long history never makes a long answer."""


class MyRequest(WireModel):
    """One of the signed-in resident's own requests, as the kiosk's "my requests" list shows
    it: what a receipt's tracking lookup tells, plus when it was received; never the answers,
    the complaint's text or anything else about the resident."""

    tracking_code: TrackingCode
    kind: Literal["letter", "bansos", "complaint"]
    title: LocalizedText = Field(
        description="The service's name (a letter), the program's (bansos) or the complaint's "
        "category."
    )
    status_label: LocalizedText
    received_at: datetime
    updated_at: datetime


class MyRequests(WireModel):
    """Answer to ``GET /v1/residents/me/requests``: newest first, at most ``MAX_MY_REQUESTS``."""

    requests: list[MyRequest] = Field(max_length=MAX_MY_REQUESTS)
