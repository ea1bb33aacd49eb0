"""'Ambil surat' in the session: offered only with a ready A4 printer and the centre online;
the resident's finished letters listed, one printed on the (in-process simulated) IPP
printer through the real driver, the centre told; an empty tray tells the resident, in both
languages, to collect the letter at the village office, and nothing is recorded as printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from central.contract.collect import FinishedLetter, FinishedLetters, LetterPrinted
from central.contract.models import LocalizedText, ServiceKind
from central.contract.services import LetterStatus
from common.events import Event, EventBus
from drivers.documents import DOCUMENT_PRINTERS, DocumentPrinter, Media, SimulatedIpp
from kiosk.central_client import CentralOffline, Credentials
from kiosk.session import Session, State, Timeouts
from kiosk.session.collect import COLLECT_SERVICE_ID
from kiosk.session.events import LetterCollected, LettersListed, ModeChanged, Notice
from tests.session.fakes import (
    NOW,
    Clock,
    FakeClient,
    FakePrinter,
    FakeReceipts,
    FakeSubmitter,
    signed_in,
)

pytestmark = pytest.mark.in_process

PDF = b"%PDF-1.7\n% surat keterangan domisili\n"
LETTER = FinishedLetter(
    tracking_code="DOM-7Q4KX2",
    service_id="domisili",
    service_label=LocalizedText(id="Surat keterangan domisili", en="Certificate of domicile"),
    ready_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
    size_bytes=len(PDF),
)


@dataclass
class FakeLetterDesk:
    letters: list[FinishedLetter] = field(default_factory=lambda: [LETTER])
    offline: bool = False
    asked_with: list[Credentials] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)
    recorded: list[tuple[str, str]] = field(default_factory=list)

    def finished_letters(self, credentials: Credentials) -> FinishedLetters:
        if self.offline:
            raise CentralOffline("unplugged")
        self.asked_with.append(credentials)
        return FinishedLetters(letters=self.letters)

    def letter_pdf(self, credentials: Credentials, code: str) -> bytes:
        self.downloaded.append(code)
        return PDF

    def letter_printed(self, credentials: Credentials, code: str, key: str) -> LetterPrinted:
        self.recorded.append((code, key))
        return LetterPrinted(tracking_code=code, status=LetterStatus.SUDAH_DIAMBIL, printed_at=NOW)


@dataclass
class CollectRig:
    session: Session
    desk: FakeLetterDesk
    printer: DocumentPrinter
    simulator: SimulatedIpp
    events: list[Event]

    def of(self, kind: type[Event]) -> list[object]:
        return [e for e in self.events if isinstance(e, kind)]

    def printer_seen(self) -> None:
        """What the kiosk core does with the driver's StatusChanged."""
        self.session.device_changed(self.printer.refresh_status())


@pytest.fixture
def rig() -> CollectRig:
    bus = EventBus()
    events: list[Event] = []
    bus.subscribe(Event, events.append)
    client = FakeClient()
    simulator = SimulatedIpp()
    printer = DOCUMENT_PRINTERS.create("simulated", simulator=simulator, poll_period=None)
    desk = FakeLetterDesk()
    session = Session(
        client=client,
        submitter=FakeSubmitter(client),
        printer=FakePrinter(),
        receipts=FakeReceipts(),
        bus=bus,
        timeouts=Timeouts(idle_s=60, warning_s=10),
        clock=Clock(),
        wall_clock=lambda: NOW,
        documents=printer,
        letter_desk=desk,
    )
    session.refresh_catalog()
    collect = CollectRig(session, desk, printer, simulator, events)
    collect.printer_seen()
    return collect


def offered(session: Session) -> bool:
    return any(s.id == COLLECT_SERVICE_ID for s in session.available_services())


def test_offered_only_with_a_ready_printer_and_the_centre(rig: CollectRig) -> None:
    assert offered(rig.session)
    service = next(s for s in rig.session.available_services() if s.id == COLLECT_SERVICE_ID)
    assert service.kind is ServiceKind.COLLECT and service.label.id == "Ambil surat"
    rig.simulator.set_media(Media.EMPTY)
    rig.printer_seen()
    assert not offered(rig.session)
    assert rig.of(ModeChanged)[-1].documents_ready is False  # type: ignore[attr-defined]
    rig.simulator.set_media(Media.FULL)
    rig.printer_seen()
    assert offered(rig.session)
    rig.session.set_modes(centre_online=False)
    assert not offered(rig.session)


def test_a_letter_is_listed_printed_and_recorded(rig: CollectRig) -> None:
    signed_in(rig)  # type: ignore[arg-type]
    rig.session.choose(COLLECT_SERVICE_ID)
    assert rig.session.state is State.SERVICE
    assert rig.of(LettersListed)[-1] == LettersListed((LETTER,))
    assert rig.desk.asked_with[-1].session_token  # the live session, not the grant

    rig.session.collect_letter(LETTER.tracking_code)

    assert rig.simulator.printed == [PDF]
    assert [code for code, _ in rig.desk.recorded] == [LETTER.tracking_code]
    notice = rig.of(Notice)[-1]
    assert "take it from the printer" in notice.message.en  # type: ignore[attr-defined]
    assert rig.of(LetterCollected)[-1] == LetterCollected(
        LETTER.tracking_code,
        printed=True,
        message=notice.message,  # type: ignore[attr-defined]
    )
    assert rig.session.state is State.DONE
    rig.session.finish()
    assert rig.session.state is State.MENU


def test_an_empty_tray_sends_the_resident_to_the_office(rig: CollectRig) -> None:
    signed_in(rig)  # type: ignore[arg-type]
    rig.session.choose(COLLECT_SERVICE_ID)
    rig.simulator.set_media(Media.EMPTY)  # runs out after the list was shown

    rig.session.collect_letter(LETTER.tracking_code)

    assert rig.simulator.printed == []
    assert rig.desk.recorded == []  # not printed: nothing recorded at the centre
    notice = rig.of(Notice)[-1]
    assert notice.level == "warning"  # type: ignore[attr-defined]
    assert notice.message == LocalizedText(  # type: ignore[attr-defined]
        id="Kertas printer habis. Silakan ambil surat Anda di kantor desa.",
        en="The printer is out of paper. Please collect your letter at the village office.",
    )
    told = LetterCollected(LETTER.tracking_code, printed=False, message=notice.message)  # type: ignore[attr-defined]
    assert rig.of(LetterCollected)[-1] == told  # the screen keeps saying it
    assert rig.printer.status().supply.value == "out"  # what the heartbeat reports
    rig.session.finish()
    assert not offered(rig.session)


def test_nothing_to_collect_or_a_letter_not_listed(rig: CollectRig) -> None:
    rig.desk.letters = []
    signed_in(rig)  # type: ignore[arg-type]
    rig.session.choose(COLLECT_SERVICE_ID)
    assert rig.session.state is State.MENU
    assert "no finished letters" in rig.of(Notice)[-1].message.en  # type: ignore[attr-defined]

    rig.desk.letters = [LETTER]
    rig.session.choose(COLLECT_SERVICE_ID)
    rig.session.collect_letter("SKTM-AAAAAA")
    assert rig.desk.downloaded == [] and rig.session.state is State.SERVICE


def test_the_list_is_personal_data_and_goes_with_the_session(rig: CollectRig) -> None:
    signed_in(rig)  # type: ignore[arg-type]
    rig.session.choose(COLLECT_SERVICE_ID)
    rig.session.cancel()
    assert not rig.session.holds_personal_data()
    rig.session.collect_letter(LETTER.tracking_code)
    assert rig.desk.downloaded == []
