"""The session state machine with fakes: transitions, timeouts, wiping, degraded modes."""

from __future__ import annotations

import pytest

from central.contract.models import (
    ErrorBody,
    LocalizedText,
    Service,
)
from central.contract.services import MAX_ANSWER_LENGTH
from kiosk.captured import ScannedDocument
from kiosk.i18n import LANGUAGES
from kiosk.session import State
from kiosk.session.events import CountdownTick, Notice, ReceiptReady, SessionEnded
from kiosk.session.flows import ComplaintSubmission, LetterSubmission
from tests.session.fakes import (
    CARD,
    NOW,
    PIN,
    RESIDENT,
    Rig,
    signed_in,
)

pytestmark = pytest.mark.in_process


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


class PreparedScanner:
    """Counts the session's calls to get the camera ready; never scans."""

    def __init__(self) -> None:
        self.prepared: list[str] = []

    def prepare(self) -> None:
        self.prepared.append("ready")

    def scan(self, timeout_s: float = 60.0) -> ScannedDocument | None:
        raise AssertionError("no scan in this test")


def test_each_document_step_gets_the_camera_ready_and_no_other_step_does(rig: Rig) -> None:
    scanner = PreparedScanner()
    rig.session.scanner = scanner
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    assert scanner.prepared == []
    rig.session.answer("Rp 1.000.001 - 2.000.000")
    assert scanner.prepared == ["ready"]  # the family card's step
    rig.session.attach(ScannedDocument(b"%PDF-kk", "application/pdf"))
    assert scanner.prepared == ["ready", "ready"]  # the RT's letter's


def test_letter_with_scan_is_submitted_and_printed(rig: Rig) -> None:
    kk, rt = (
        ScannedDocument(b"%PDF-kk", "application/pdf"),
        ScannedDocument(b"%PDF-rt", "image/png"),
    )
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    rig.session.answer("Rp 1.000.001 - 2.000.000")
    rig.session.attach(kk)
    rig.session.attach(rt)
    assert rig.session.state is State.REVIEW
    rig.session.submit()
    # What the session handed over: the answers under the catalog's field names, each page
    # under its requirement's name, the resident's grant, one reference throughout.
    [(submission, credentials)] = rig.submitter.received
    assert isinstance(submission, LetterSubmission)
    assert submission.payload.service_id == "sktm"
    assert submission.payload.answers == {
        "keperluan": "Mendaftar sekolah anak",
        "penghasilan": "Rp 1.000.001 - 2.000.000",
    }
    assert submission.payload.submitted_at == NOW
    assert submission.payload.notify_phone is None  # skipped: no opt-in
    assert submission.payload.local_ref == submission.local_ref
    assert dict(submission.attachments) == {"kk": kk, "pengantar_rt": rt}
    assert credentials.submission_grant == "grant"
    # And what it did with the centre's answer: the receipt for that record, printed, with
    # the record's tracking code as the on-screen fallback.
    assert rig.session.state is State.DONE
    ready = rig.of(ReceiptReady)[-1]
    assert ready.printed and rig.printer.printed == [ready.receipt]
    assert ready.qr_payload == "SKT-7K3M9Q"
    assert "result LetterRequest id" in repr(ready.receipt)


def test_complaint_is_submitted_with_its_category_and_text(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    rig.session.skip()  # no photo
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert (submission.payload.category, submission.payload.text) == (
        "infrastruktur",
        "Jalan desa berlubang di RT 003",
    )
    assert submission.attachments == {} and submission.payload.photo_document_id is None
    assert rig.of(ReceiptReady)[-1].qr_payload == "ADU-7K3M9Q"


def test_invalid_answer_is_refused_with_the_reason(rig: Rig) -> None:
    land = Service.model_validate(
        {
            "id": "tanah",
            "kind": "letter",
            "label": {"id": "Surat keterangan tanah", "en": "Land letter"},
            "fields": [{"name": "luas", "type": "number", "label": {"id": "Luas", "en": "Area"}}],
        }
    )
    rig.client.extra_services.append(land)
    signed_in(rig)
    rig.session.choose("tanah")
    rig.session.answer("satu juta")
    assert "digits" in rig.of(Notice)[-1].message.en
    assert rig.session.state is State.SERVICE


def test_the_sktm_income_is_one_of_its_bands_not_a_typed_number(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    rig.session.answer("1500000")
    assert rig.of(Notice)[-1].message.en == "Choose one of the options shown."
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
    assert rig.submitter.received == []  # never put in the outbox
    assert "take_queue_ticket" in rig.client.calls  # asked of the centre, which was away
    assert "central server" in rig.of(Notice)[-1].message.en


def test_queue_ticket_is_taken_from_the_centre_and_printed(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("antrian")
    rig.session.submit()
    assert rig.submitter.received == []
    [request] = rig.client.tickets
    assert rig.session.state is State.DONE
    ready = rig.of(ReceiptReady)[-1]
    assert ready.printed and ready.qr_payload == "A-001"
    assert request.local_ref and "result QueueTicket" in repr(ready.receipt)


def test_a_walk_in_takes_a_queue_number_without_signing_in(rig: Rig) -> None:
    rig.session.refresh_catalog()  # a running kiosk fetches it at start
    assert [s.id for s in rig.session.walk_in_services()] == ["antrian"]
    rig.session.take_queue_number("antrian")
    assert rig.session.state is State.DONE
    assert rig.client.ticket_headers == [{}]  # no session token, no grant: nobody identified
    assert "sign_in" not in rig.client.calls
    ready = rig.of(ReceiptReady)[-1]
    assert ready.printed and "for " not in repr(ready.receipt)  # the receipt names nobody
    assert rig.session.resident is None
    rig.session.finish()  # no menu to go back to: the walk-in is done
    assert rig.session.state is State.IDLE
    assert rig.of(SessionEnded)[-1].reason == "finished"
    assert not rig.session.holds_personal_data()


def test_a_walk_in_gets_only_queue_numbers_and_only_while_idle(rig: Rig) -> None:
    rig.session.refresh_catalog()
    rig.session.take_queue_number("sktm")  # a letter needs the resident: not from attract
    assert rig.session.state is State.IDLE
    assert "not available" in rig.of(Notice)[-1].message.en
    signed_in(rig)
    assert rig.session.walk_in_services() == []
    rig.session.take_queue_number("antrian")
    assert rig.session.state is State.MENU and rig.client.tickets == []


def test_a_walk_in_with_the_centre_away_is_told_and_nothing_is_kept(rig: Rig) -> None:
    rig.session.refresh_catalog()
    rig.client.online = False
    rig.session.take_queue_number("antrian")
    assert rig.session.state is State.IDLE
    assert "central server" in rig.of(Notice)[-1].message.en
    assert rig.session.walk_in_services() == []  # the centre is marked away: no button
    assert not rig.session.holds_personal_data()


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


def test_a_complaint_shorter_than_the_centre_takes_is_refused_on_the_spot(rig: Rig) -> None:
    """The contract wants at least MIN_COMPLAINT_LENGTH characters: said at the text step,
    not found out later by a refusal (or a dead letter) for a complaint already 'sent'."""
    signed_in(rig)
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("  Rusak  ")  # 5 characters once trimmed: too short by none
    rig.session.back()
    rig.session.answer("Atap")
    assert "At least 5 characters" in rig.of(Notice)[-1].message.en
    assert rig.session.state is State.SERVICE
    rig.session.answer("Atap bocor")
    rig.session.skip()
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert submission.payload.text == "Atap bocor"


def test_a_letter_answer_longer_than_the_centre_takes_is_refused_on_the_spot(rig: Rig) -> None:
    """A catalog field without max_length still has the contract's MAX_ANSWER_LENGTH."""
    unbounded = {"name": "catatan", "type": "text", "label": {"id": "Catatan", "en": "Note"}}
    letter = Service.model_validate(
        {"id": "catatan", "kind": "letter", "label": {"id": "C", "en": "C"}, "fields": [unbounded]}
    )
    rig.client.extra_services.append(letter)
    signed_in(rig)
    rig.session.choose("catatan")
    rig.session.answer("x" * (MAX_ANSWER_LENGTH + 1))
    assert f"At most {MAX_ANSWER_LENGTH} characters" in rig.of(Notice)[-1].message.en
    assert rig.session.state is State.SERVICE
    rig.session.answer("x" * MAX_ANSWER_LENGTH)
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, LetterSubmission)
    assert submission.payload.answers == {"catatan": "x" * MAX_ANSWER_LENGTH}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_language_can_be_chosen(rig: Rig, language: str) -> None:
    rig.session.set_language(language)
    assert rig.session.language == language


def test_a_language_without_a_catalog_falls_back_to_the_kiosks_default(rig: Rig) -> None:
    rig.session.set_language("en")
    rig.session.set_language("jv")
    assert rig.session.language == rig.session.default_language == "id"


def test_announcements_for_the_attract_screen_are_asked_only_when_idle_and_fail_quietly(
    rig: Rig,
) -> None:
    assert rig.session.announcements() == []
    assert rig.client.calls.count("information") == 1
    rig.client.online = False
    assert rig.session.announcements() == []
    assert rig.session.centre_online is False
    notices = [e.message.en for e in rig.events if isinstance(e, Notice)]
    assert all(n.startswith("This kiosk is out of service") for n in notices), notices
    rig.session.announcements()
    assert rig.client.calls.count("information") == 2  # not asked again while offline


def test_a_receipts_code_is_tracked_without_signing_in(rig: Rig) -> None:
    from central.contract.services import TrackedItem

    found = rig.session.track(" skt-2026-000123 ")
    assert isinstance(found, TrackedItem) and found.status_label.en == "In progress"
    missing = rig.session.track("SKT-2026-999999")
    assert isinstance(missing, LocalizedText) and "No request has this code" in missing.en
    bad = rig.session.track("ab")
    assert isinstance(bad, LocalizedText) and "not a code" in bad.en
    assert rig.client.calls.count("track") == 2  # the bad code never left the kiosk
    rig.client.online = False
    offline = rig.session.track("SKT-2026-000123")
    assert isinstance(offline, LocalizedText) and rig.session.centre_online is False
    assert not [e for e in rig.events if isinstance(e, Notice) and e.level == "error"]
