"""The status check by a scanned code (the serial code scanner, the camera's QR watch) and
"Permohonan saya", session side: when a scan counts and what it answers, and that a
resident's list is asked with their own session and never without one."""

from __future__ import annotations

from dataclasses import dataclass

from central.contract.models import LocalizedText
from central.contract.services import MyRequests, TrackedItem
from kiosk.session import State
from kiosk.session.events import CardTapped, StatusLookedUp
from tests.session.fakes import CARD, Rig, signed_in


@dataclass
class FakeQrWatch:
    started: int = 0
    stopped: int = 0

    def start(self) -> None:
        self.started += 1

    def stop(self) -> None:
        self.stopped += 1


def test_a_scanned_receipt_shows_its_status_between_residents(rig: Rig) -> None:
    rig.session.code_scanned("http://127.0.0.1:8000/lacak/SKT-2026-000123")
    rig.session.code_scanned("https://desa.example.id/lacak/SKT-2026-999999")
    rig.session.code_scanned("https://desa.example.id/")  # a URL, but no receipt's
    rig.session.code_scanned("Selamat datang")
    rig.session.code_scanned(None)  # the camera's watch ended without a code
    answers = [event.answer for event in rig.of(StatusLookedUp)]
    assert isinstance(answers[0], TrackedItem) and answers[0].status_label.en == "In progress"
    assert isinstance(answers[1], LocalizedText) and "No request has this code" in answers[1].en
    assert [a.en[:20] for a in answers[2:] if isinstance(a, LocalizedText)] == [
        "That is not a code f",
        "That is not a code f",
        "No receipt code was ",
    ]
    assert rig.client.calls.count("track") == 2  # what is no code never left the kiosk
    assert rig.session.state is State.IDLE


def test_an_offline_slips_reference_is_asked_as_printed(rig: Rig) -> None:
    """A slip printed while the centre was away carries the outbox's reference (lower-case
    hex): it goes to the centre as it is, where the delivered submission is found by it."""
    reference = "0f3c2a9e5b7d4c1a8e6f2b9d3c7a5e1f"
    rig.session.code_scanned(f"https://desa.example.id/lacak/{reference}?kantor=35.10.01.2001")
    (looked_up,) = rig.of(StatusLookedUp)
    assert isinstance(looked_up.answer, LocalizedText)
    assert "No request has this code" in looked_up.answer.en  # asked (the fake knows it not)
    assert rig.client.calls.count("track") == 1


def test_a_scan_during_a_session_changes_nothing(rig: Rig) -> None:
    signed_in(rig)
    rig.session.code_scanned("SKT-2026-000123")
    assert rig.of(StatusLookedUp) == [] and "track" not in rig.client.calls


def test_the_camera_watch_starts_between_residents_only(rig: Rig) -> None:
    no_camera = rig.session.watch_receipt_qr()
    assert isinstance(no_camera, LocalizedText) and "camera" in no_camera.en
    watch = FakeQrWatch()
    rig.session.receipt_qr = watch
    assert rig.session.watch_receipt_qr() is None and watch.started == 1
    rig.session.stop_receipt_qr()
    assert watch.stopped == 1
    signed_in(rig)
    assert rig.session.watch_receipt_qr() is None and watch.started == 1


def test_my_requests_are_asked_with_the_residents_own_session(rig: Rig) -> None:
    before = rig.session.my_requests()
    assert isinstance(before, LocalizedText) and "Sign in first" in before.en
    assert "my_requests" not in rig.client.calls
    signed_in(rig)
    mine = rig.session.my_requests()
    assert isinstance(mine, MyRequests) and mine.requests[0].tracking_code == "SKT-7K3M9Q"
    assert rig.client.asked_with[-1].session_token == "tok"  # the live session, not the grant
    rig.client.online = False
    offline = rig.session.my_requests()
    assert isinstance(offline, LocalizedText) and rig.session.centre_online is False
    rig.session.cancel()
    after = rig.session.my_requests()  # the session ended: nothing of it is used again
    assert isinstance(after, LocalizedText) and rig.client.calls.count("my_requests") == 2


def test_a_tapped_card_is_told_to_the_screens_before_sign_in_only(rig: Rig) -> None:
    rig.session.tap_card(CARD)  # IDLE: heard (a technician's card opens maintenance)
    assert [e.uid_hex for e in rig.of(CardTapped)] == [CARD]
    rig.session.enter_pin("135790")
    assert rig.session.state is State.MENU
    rig.session.tap_card(CARD)  # a card resting on the reader mid-session: not heard
    assert len(rig.of(CardTapped)) == 1
