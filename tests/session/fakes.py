"""Fakes for the session's collaborators, and a session built on them (unit tests only).

The fakes are type-checked against the session's Protocols (setup.cfg lists this file for
mypy), so a fake cannot drift from what the session asks of the real part. They record what the
session handed them; tests assert on that, never on what a fake itself made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from central.contract.models import (
    ErrorBody,
    LocalizedText,
    LoginRequest,
    LoginResponse,
    PinChanged,
    PinChangeRequest,
    ResidentSummary,
    Service,
    ServiceCatalog,
)
from central.contract.services import (
    BansosApplication,
    BansosStatus,
    Complaint,
    LetterRequest,
    LetterStatus,
    MyRequest,
    MyRequests,
    QueueTicket,
    QueueTicketCreate,
    TrackedItem,
    VillageInformation,
)
from central.seeding.seed_services import SERVICES
from common.events import Event, EventBus
from drivers.printer.errors import PaperOut
from drivers.printer.receipt import Receipt
from kiosk.central_client import CentralOffline, CentralRefused, Credentials
from kiosk.session import Session, State, Timeouts
from kiosk.session.flows import (
    BansosSubmission,
    ComplaintSubmission,
    LetterSubmission,
    OutboxSubmission,
    Submission,
)
from kiosk.submitter import Submitted

NIK = "3510014705900012"
CARD = "04A1B2C3D4E5F6"
PIN = "135790"
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
RESIDENT = ResidentSummary(
    name="Siti Rahayu", nik_masked="3510********0012", village_id="35.10.01.2001"
)
CATALOG = ServiceCatalog.model_validate(
    {
        "office": {
            "id": "35.10.01.2001",
            "name": "Sarongan",
            "kind": "desa",
            "parent_id": "35.10.01",
        },
        "services": [
            {
                "id": s["id"],
                "kind": s["kind"],
                "label": s["label"],
                "fields": s.get("fields", []),
                "documents": s.get("documents", []),
            }
            for s in SERVICES
        ],
    }
)


@dataclass
class FakeClient:
    """The centre's direct calls; ``calls`` records which the session made."""

    online: bool = True
    must_change_pin: bool = False
    refuse_login: ErrorBody | None = None
    calls: list[str] = field(default_factory=list)
    tickets: list[QueueTicketCreate] = field(default_factory=list)
    ticket_headers: list[dict[str, str]] = field(default_factory=list)  # who asked for each
    extra_services: list[Service] = field(default_factory=list)  # added to the catalog
    asked_with: list[Credentials] = field(default_factory=list)  # my_requests' credentials
    bansos: BansosStatus | None = None  # the resident's bansos status, when a test sets one

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if not self.online:
            raise CentralOffline(name)

    def sign_in(self, request: LoginRequest) -> LoginResponse:
        self._check("sign_in")
        if self.refuse_login:
            raise CentralRefused(423, self.refuse_login)
        return LoginResponse(
            session_token="tok",
            idle_timeout_s=600,
            submission_grant="grant",
            must_change_pin=self.must_change_pin,
            resident=RESIDENT,
        )

    def change_pin(self, token: str, request: PinChangeRequest) -> PinChanged:
        self._check("change_pin")
        return PinChanged(must_change_pin=False)

    def sign_out(self, token: str) -> None:
        self._check("sign_out")

    def catalog(self) -> ServiceCatalog:
        self._check("catalog")
        return CATALOG.model_copy(update={"services": CATALOG.services + self.extra_services})

    def information(self) -> VillageInformation:
        self._check("information")
        return VillageInformation(
            office_id=CATALOG.office.id, budgets=[], projects=[], announcements=[]
        )

    def project_photo(self, project_id: str, photo_id: str) -> bytes:
        self._check("project_photo")
        return b"\xff\xd8\xff" + f"{project_id}/{photo_id}".encode()

    def track(self, code: str) -> TrackedItem:
        self._check("track")
        if code != "SKT-2026-000123":
            raise CentralRefused(
                404,
                ErrorBody(code="not_found", message=LocalizedText(id="tidak ada", en="not found")),
            )
        return TrackedItem(
            tracking_code=code,
            kind="letter",
            title=LocalizedText(id="SKTM", en="SKTM"),
            status_label=LocalizedText(id="Diproses", en="In progress"),
            updated_at=NOW,
        )

    def bansos_status(self, credentials: Credentials) -> BansosStatus:
        self._check("bansos_status")
        if self.bansos is not None:
            return self.bansos
        return BansosStatus.model_validate(
            {
                "enrollments": [],
                "programs": [
                    {
                        "id": "pkh",
                        "name": {"id": "PKH", "en": "PKH"},
                        "cluster": "tunai",
                        "open_for_applications": True,
                    }
                ],
            }
        )

    def my_requests(self, credentials: Credentials) -> MyRequests:
        self._check("my_requests")
        self.asked_with.append(credentials)
        return MyRequests(
            requests=[
                MyRequest(
                    tracking_code="SKT-7K3M9Q",
                    kind="letter",
                    title=LocalizedText(id="SKTM", en="SKTM"),
                    status_label=LocalizedText(id="Sedang diperiksa", en="Being checked"),
                    received_at=NOW,
                    updated_at=NOW,
                )
            ]
        )

    def take_queue_ticket(
        self, credentials: Credentials, request: QueueTicketCreate
    ) -> QueueTicket:
        self._check("take_queue_ticket")
        self.tickets.append(request)
        self.ticket_headers.append(credentials.headers())
        return QueueTicket(
            number="A-001",
            office_id="35.10.01.2001",
            day=NOW.date(),
            issued_at=NOW,
            waiting_ahead=0,
        )


def _record(submission: OutboxSubmission) -> LetterRequest | Complaint | BansosApplication:
    """The centre's record for a delivered submission, made from what the session sent."""
    match submission:
        case LetterSubmission(payload=letter):
            return LetterRequest.model_validate(
                {
                    "tracking_code": "SKT-7K3M9Q",
                    "local_ref": letter.local_ref,
                    "service_id": letter.service_id,
                    "service_label": {"id": "SKTM", "en": "SKTM"},
                    "status": LetterStatus.SEDANG_DIPERIKSA,
                    "status_label": {"id": "Sedang diperiksa", "en": "Being checked"},
                    "submitted_at": letter.submitted_at,
                    "received_at": NOW,
                    "history": [],
                }
            )
        case ComplaintSubmission(payload=complaint):
            return Complaint(
                tracking_code="ADU-7K3M9Q",
                category=complaint.category,
                status="received",
                received_at=NOW,
            )
        case BansosSubmission(payload=application):
            return BansosApplication(
                tracking_code="BSS-7K3M9Q",
                program_id=application.program_id,
                status="pending",
                received_at=NOW,
            )


@dataclass
class FakeSubmitter:
    """Plays the outbox + centre: delivered when ``client.online``, else kept queued.

    ``received`` is every submission the session handed over, in order, with its credentials.
    """

    client: FakeClient
    received: list[tuple[OutboxSubmission, Credentials]] = field(default_factory=list)
    queued: dict[str, Submission] = field(default_factory=dict)
    refuse: ErrorBody | None = None

    def submit(self, submission: OutboxSubmission, credentials: Credentials) -> Submitted:
        self.received.append((submission, credentials))
        if self.refuse is not None:
            return Submitted(submission.local_ref, refusal=self.refuse)
        if not self.client.online:
            self.queued[submission.local_ref] = submission
            return Submitted(submission.local_ref, deferred="offline")
        return Submitted(submission.local_ref, result=_record(submission))


@dataclass
class FakePrinter:
    paper: bool = True
    printed: list[Receipt] = field(default_factory=list)

    def print(self, receipt: Receipt) -> None:
        if not self.paper:
            raise PaperOut("out of paper")
        self.printed.append(receipt)


class FakeReceipts:
    def for_result(
        self,
        result: BaseModel,
        resident: ResidentSummary | None,
        language: str,
        catalog: ServiceCatalog | None,
    ) -> Receipt:
        named = "" if resident is None else f" for {resident.nik_masked}"
        return Receipt().text(f"result {type(result).__name__} {language}{named}")

    def queued(
        self,
        submission: OutboxSubmission,
        resident: ResidentSummary,
        language: str,
        catalog: ServiceCatalog | None,
    ) -> Receipt:
        return Receipt().text(f"queued {submission.local_ref}")

    def qr_payload(self, result: BaseModel | Submission) -> str:
        for name in ("tracking_code", "number", "local_ref"):
            if hasattr(result, name):
                return str(getattr(result, name))
        raise AssertionError(f"nothing to show for {result!r}")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    session: Session
    client: FakeClient
    submitter: FakeSubmitter
    printer: FakePrinter
    clock: Clock
    events: list[Event]

    def of(self, kind: type[Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def make_rig(*, receipt_on_screen: bool = True) -> Rig:
    bus = EventBus()
    events: list[Event] = []
    bus.subscribe(Event, events.append)
    client, printer, clock = FakeClient(), FakePrinter(), Clock()
    submitter = FakeSubmitter(client)
    session = Session(
        client=client,
        submitter=submitter,
        printer=printer,
        receipts=FakeReceipts(),
        bus=bus,
        timeouts=Timeouts(idle_s=60, warning_s=10),
        clock=clock,
        wall_clock=lambda: NOW,
        receipt_on_screen=receipt_on_screen,
    )
    return Rig(session, client, submitter, printer, clock, events)


def signed_in(rig: Rig) -> None:
    rig.session.tap_card(CARD)
    rig.session.enter_pin(PIN)
    assert rig.session.state is State.MENU
