"""The optional SMS/WhatsApp opt-in of letter requests and complaints, with fakes: offered on
the review (not a step, so wanting none costs nothing), the number is checked as the contract
checks it, travels as the payload's ``notify_phone`` (never among the answers), can be taken
back, and is wiped with the rest of the session."""

from __future__ import annotations

import pytest

from kiosk.captured import ScannedDocument
from kiosk.session import State
from kiosk.session.events import Notice, StepChanged
from kiosk.session.flows import (
    NOTIFY_PHONE,
    ComplaintSubmission,
    LetterSubmission,
    notify_phone_prompt,
)
from tests.session.fakes import Rig, signed_in

pytestmark = pytest.mark.in_process

TYPED = "081234567890"
CANONICAL = "+6281234567890"


def to_the_review_of_a_complaint(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    rig.session.skip()  # no photo


def submitted_phone(rig: Rig) -> str | None:
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission | LetterSubmission)
    return submission.payload.notify_phone


def test_no_step_asks_the_number_the_review_follows_the_last_answer(rig: Rig) -> None:
    to_the_review_of_a_complaint(rig)
    assert rig.session.state is State.REVIEW
    assert NOTIFY_PHONE not in {step.step for step in rig.of(StepChanged)}
    assert notify_phone_prompt().id == "Beri tahu saya lewat SMS/WhatsApp?"
    assert notify_phone_prompt().en == "Tell me by SMS/WhatsApp?"
    assert submitted_phone(rig) is None  # nothing asked, nothing sent


def test_a_typed_number_goes_in_the_complaint_in_the_contracts_form(rig: Rig) -> None:
    to_the_review_of_a_complaint(rig)
    assert rig.session.notify_by(TYPED)
    assert rig.session.state is State.REVIEW
    assert submitted_phone(rig) == CANONICAL


def test_a_letters_number_is_not_one_of_its_answers(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    rig.session.answer("Rp 1.000.001 - 2.000.000")
    rig.session.attach(ScannedDocument(b"%PDF-kk", "application/pdf"))
    rig.session.attach(ScannedDocument(b"%PDF-rt", "application/pdf"))
    assert rig.session.state is State.REVIEW
    assert rig.session.notify_by("6281234567890")  # 62… is the same number
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, LetterSubmission)
    assert submission.payload.notify_phone == CANONICAL
    assert NOTIFY_PHONE not in submission.payload.answers


@pytest.mark.parametrize("typed", ["12345", "0212345678", "08123", "08" + "1" * 12])
def test_not_a_mobile_number_is_explained_without_repeating_it(rig: Rig, typed: str) -> None:
    to_the_review_of_a_complaint(rig)
    assert rig.session.notify_by(TYPED)
    assert not rig.session.notify_by(typed)
    notice = rig.of(Notice)[-1]
    assert notice.message.id.startswith("Itu bukan nomor HP")
    assert "not a mobile number" in notice.message.en
    assert typed not in notice.message.id + notice.message.en
    assert rig.session.state is State.REVIEW
    assert submitted_phone(rig) == CANONICAL  # the number taken before stays


def test_nothing_typed_takes_the_number_back(rig: Rig) -> None:
    to_the_review_of_a_complaint(rig)
    assert rig.session.notify_by(TYPED)
    assert rig.session.notify_by("")  # changed their mind: no SMS/WhatsApp after all
    assert submitted_phone(rig) is None


def test_a_new_number_replaces_the_first_and_survives_a_step_back(rig: Rig) -> None:
    to_the_review_of_a_complaint(rig)
    rig.session.notify_by("081111111111")
    rig.session.back()  # to the photo step, and on again to the review
    rig.session.skip()
    assert rig.session.state is State.REVIEW
    rig.session.notify_by(TYPED)
    assert submitted_phone(rig) == CANONICAL


def test_only_the_review_of_a_service_that_notifies_takes_a_number(rig: Rig) -> None:
    signed_in(rig)
    assert not rig.session.notify_by(TYPED)  # the menu: nothing to be told about yet
    rig.session.choose("antrian")
    assert rig.session.state is State.REVIEW
    assert not rig.session.notify_by(TYPED)  # a queue number carries no phone
    rig.session.back()
    rig.session.choose("pengaduan")
    assert not rig.session.notify_by(TYPED)  # mid-flow: only the review offers it
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    rig.session.skip()
    assert submitted_phone(rig) is None  # none of the refused ones was kept


def test_the_number_is_wiped_when_the_session_ends(rig: Rig) -> None:
    to_the_review_of_a_complaint(rig)
    rig.session.notify_by(TYPED)
    rig.session.cancel()
    assert rig.session.state is State.IDLE
    assert not rig.session.holds_personal_data()
