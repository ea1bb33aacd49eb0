"""The session state machine with fakes: transitions, timeouts, wiping, degraded modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from central.contract.models import (
    ErrorBody,
    LocalizedText,
    LoginResponse,
    PinChanged,
    ResidentSummary,
    ServiceCatalog,
)
from central.contract.services import BansosStatus, LetterRequest, LetterStatus, QueueTicket
from central.seed_services import SERVICES
from common.events import Event, EventBus
from drivers.printer.errors import PaperOut
from drivers.printer.receipt import Receipt
from kiosk.central_client import CentralOffline, CentralRefused, Credentials
from kiosk.session import Session, State, Timeouts
from kiosk.session.events import CountdownTick, Notice, ReceiptReady, SessionEnded
from kiosk.session.flows import ScannedDocument, Submission
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
    online: bool = True
    must_change_pin: bool = False
    refuse_login: ErrorBody | None = None
    calls: list[str] = field(default_factory=list)

    def _check(self, name: str) -> None:
        self.calls.append(name)
        if not self.online:
            raise CentralOffline(name)

    def sign_in(self, request: Any) -> LoginResponse:
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

    def change_pin(self, token: str, request: Any) -> PinChanged:
        self._check("change_pin")
        return PinChanged(must_change_pin=False)

    def sign_out(self, token: str) -> None:
        self._check("sign_out")

    def catalog(self) -> ServiceCatalog:
        self._check("catalog")
        return CATALOG

    def bansos_status(self, credentials: Credentials) -> BansosStatus:
        self._check("bansos_status")
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

    def upload_document(
        self, credentials: Credentials, content: bytes, content_type: str, key: str
    ) -> Any:
        self._check("upload_document")
        from central.contract.services import DocumentUploaded

        return DocumentUploaded(
            document_id="a" * 32,
            sha256="0" * 64,
            size_bytes=len(content),
            content_type="image/jpeg",
        )

    def create_letter(self, credentials: Credentials, request: Any) -> LetterRequest:
        self._check("create_letter")
        return LetterRequest.model_validate(
            {
                "tracking_code": "SKT-7K3M9Q",
                "local_ref": request.local_ref,
                "service_id": "sktm",
                "service_label": {"id": "SKTM", "en": "SKTM"},
                "status": LetterStatus.SEDANG_DIPERIKSA,
                "status_label": {"id": "Sedang diperiksa", "en": "Being checked"},
                "submitted_at": NOW,
                "received_at": NOW,
                "history": [],
            }
        )

    def take_queue_ticket(self, credentials: Credentials, request: Any) -> QueueTicket:
        self._check("take_queue_ticket")
        return QueueTicket(
            number="A-001",
            office_id="35.10.01.2001",
            day=NOW.date(),
            issued_at=NOW,
            waiting_ahead=0,
        )


@dataclass
class FakeSubmitter:
    """Plays the outbox + centre: delivered when the client is online, else kept queued."""

    client: FakeClient
    queued: dict[str, Submission] = field(default_factory=dict)
    refuse: ErrorBody | None = None

    def submit(self, submission: Submission, credentials: Credentials) -> Submitted:
        if self.refuse is not None:
            return Submitted(submission.local_ref, refusal=self.refuse)
        if not self.client.online:
            self.queued[submission.local_ref] = submission
            return Submitted(submission.local_ref, deferred="offline")
        for name in submission.attachments:
            self.client.upload_document(credentials, b"", "image/jpeg", name)
        return Submitted(
            submission.local_ref, result=self.client.create_letter(credentials, submission.payload)
        )


@dataclass
class FakePrinter:
    paper: bool = True
    printed: list[Receipt] = field(default_factory=list)

    def print(self, receipt: Receipt) -> None:
        if not self.paper:
            raise PaperOut("out of paper")
        self.printed.append(receipt)


class FakeReceipts:
    def for_result(self, result: BaseModel, resident: ResidentSummary, language: str) -> Receipt:
        return Receipt().text(f"result {type(result).__name__} {language}")

    def queued(self, submission: Submission, resident: ResidentSummary, language: str) -> Receipt:
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


@pytest.fixture
def rig() -> Rig:
    bus = EventBus()
    events: list[Event] = []
    bus.subscribe(Event, events.append)
    client, printer, clock = FakeClient(), FakePrinter(), Clock()
    submitter = FakeSubmitter(client)
    session = Session(
        client=client,
        submitter=submitter,
        printer=printer,
        receipts=FakeReceipts(),  # type: ignore[arg-type]
        bus=bus,
        timeouts=Timeouts(idle_s=60, warning_s=10),
        clock=clock,
        wall_clock=lambda: NOW,
    )
    return Rig(session, client, submitter, printer, clock, events)


def signed_in(rig: Rig) -> None:
    rig.session.tap_card(CARD)
    rig.session.enter_pin(PIN)
    assert rig.session.state is State.MENU


def test_card_then_pin_reaches_the_menu(rig: Rig) -> None:
    rig.session.tap_card(CARD)
    assert rig.session.state is State.VERIFYING_PIN
    rig.session.enter_pin(PIN)
    assert rig.session.state is State.MENU
    assert rig.session.resident == RESIDENT


def test_bad_nik_is_explained_and_nothing_moves(rig: Rig) -> None:
    rig.session.start_nik_entry()
    rig.session.enter_nik("3510019905900012")
    assert rig.session.state is State.IDENTIFYING
    notice = rig.of(Notice)[-1]
    assert "birth date" in notice.message.en


def test_first_sign_in_changes_pin_first(rig: Rig) -> None:
    rig.client.must_change_pin = True
    rig.session.tap_card(CARD)
    rig.session.enter_pin(PIN)
    assert rig.session.state is State.CHANGING_PIN
    rig.session.choose("sktm")
    assert rig.session.state is State.CHANGING_PIN
    rig.session.change_pin(PIN, "246801")
    assert rig.session.state is State.MENU


def test_lockout_message_is_shown_and_the_session_ends(rig: Rig) -> None:
    message = LocalizedText(id="Coba lagi dalam 60 detik.", en="Try again in 60 seconds.")
    rig.client.refuse_login = ErrorBody(
        code="pin_locked", message=message, details={"retry_after_s": 60}
    )
    rig.session.tap_card(CARD)
    rig.session.enter_pin(PIN)
    assert rig.of(Notice)[-1].message == message
    assert rig.session.state is State.IDLE
    assert not rig.session.holds_personal_data()


def test_letter_with_scan_is_submitted_and_printed(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    rig.session.answer("1500000")
    rig.session.attach(ScannedDocument(b"%PDF-kk", "application/pdf"))
    rig.session.attach(ScannedDocument(b"%PDF-rt", "application/pdf"))
    assert rig.session.state is State.REVIEW
    rig.session.submit()
    assert rig.session.state is State.DONE
    ready = rig.of(ReceiptReady)[-1]
    assert ready.printed and ready.qr_payload == "SKT-7K3M9Q"
    assert rig.client.calls.count("upload_document") == 2


def test_invalid_answer_is_refused_with_the_reason(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    rig.session.answer("satu juta")
    assert "digits" in rig.of(Notice)[-1].message.en
    assert rig.session.state is State.SERVICE


def test_centre_down_mid_submit_queues_and_prints_a_queued_receipt(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    rig.session.skip()
    rig.client.online = False
    rig.session.submit()
    assert rig.session.state is State.DONE
    assert len(rig.submitter.queued) == 1
    local_ref = next(iter(rig.submitter.queued))
    assert rig.of(ReceiptReady)[-1].qr_payload == local_ref
    assert rig.session.centre_online is False
    assert [s.id for s in rig.session.available_services()] == [
        "sktm",
        "domisili",
        "usaha",
        "pengantar_ktp",
        "pengantar_kk",
        "kelahiran",
        "bansos",
        "pengaduan",
    ]


def test_queue_ticket_needs_the_centre(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("antrian")
    assert rig.session.state is State.REVIEW
    rig.client.online = False
    rig.session.submit()
    assert rig.session.state is State.MENU
    assert rig.submitter.queued == {}
    assert "central server" in rig.of(Notice)[-1].message.en


def test_printer_out_offers_the_receipt_on_screen(rig: Rig) -> None:
    signed_in(rig)
    rig.printer.paper = False
    rig.session.choose("antrian")
    rig.session.submit()
    ready = rig.of(ReceiptReady)[-1]
    assert not ready.printed and ready.qr_payload
    assert rig.session.printer_ready is False
    rig.printer.paper = True
    rig.session.reprint()
    assert len(rig.printer.printed) == 1


def test_countdown_then_timeout_wipes_everything(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Keperluan rahasia")
    for _ in range(49):
        rig.clock.now += 1
        rig.session.tick()
    assert rig.of(CountdownTick) == []
    rig.clock.now += 1
    rig.session.tick()
    assert [t.seconds_left for t in rig.of(CountdownTick)] == [10]
    rig.session.touch()  # still here: countdown withdrawn
    for _ in range(59):
        rig.clock.now += 1
        rig.session.tick()
    assert rig.session.state is State.SERVICE
    rig.clock.now += 1
    rig.session.tick()
    assert rig.session.state is State.IDLE
    assert rig.of(SessionEnded)[-1].reason == "timeout"
    assert not rig.session.holds_personal_data()
    assert "Keperluan rahasia" not in repr(vars(rig.session))
    assert "Siti" not in repr(vars(rig.session))


def test_back_walks_steps_then_returns_to_menu(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("domisili")
    rig.session.answer("Melamar kerja")
    rig.session.back()
    assert rig.session.state is State.SERVICE
    rig.session.back()
    assert rig.session.state is State.MENU


def test_cancel_from_anywhere_ends_and_signs_out(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("domisili")
    rig.session.cancel()
    assert rig.session.state is State.IDLE
    assert "sign_out" in rig.client.calls
    assert not rig.session.holds_personal_data()


def test_refusal_is_shown_and_the_resident_can_change_the_answers(rig: Rig) -> None:
    message = LocalizedText(id="Sudah terdaftar di PKH.", en="Already enrolled in PKH.")
    rig.submitter.refuse = ErrorBody(code="bansos_cluster_taken", message=message)
    signed_in(rig)
    rig.session.choose("bansos")
    rig.session.answer("pkh")
    rig.session.submit()
    assert rig.of(Notice)[-1].message == message
    assert rig.session.state is State.REVIEW


def test_bansos_offers_open_programmes(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("bansos")
    rig.session.answer("bpnt")
    assert "options" in rig.of(Notice)[-1].message.en
    assert rig.session.state is State.SERVICE
