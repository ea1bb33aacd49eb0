"""The optional SMS/WhatsApp step of letter requests and complaints, with fakes: the number is
checked as the contract checks it, travels as the payload's ``notify_phone`` (never among the
answers), is skipped in one intent, and is wiped with the rest of the session."""

from __future__ import annotations

import pytest

from kiosk.session import State
from kiosk.session.events import Notice, StepChanged
from kiosk.session.flows import (
    NOTIFY_PHONE,
    ComplaintSubmission,
    LetterSubmission,
    ScannedDocument,
)
from tests.session.fakes import Rig, signed_in

pytestmark = pytest.mark.in_process

TYPED = "081234567890"
CANONICAL = "+6281234567890"


def to_phone_step_of_a_complaint(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("pengaduan")
    rig.session.answer("infrastruktur")
    rig.session.answer("Jalan desa berlubang di RT 003")
    rig.session.skip()  # no photo


def test_the_phone_step_comes_last_before_the_review_and_is_optional(rig: Rig) -> None:
    to_phone_step_of_a_complaint(rig)
    step = rig.of(StepChanged)[-1]
    assert step.step == NOTIFY_PHONE
    assert step.prompt.id == "Beri tahu saya lewat SMS/WhatsApp?"
    assert step.prompt.en == "Tell me by SMS/WhatsApp?"
    rig.session.skip()
    assert rig.session.state is State.REVIEW


def test_a_typed_number_goes_in_the_complaint_in_the_contracts_form(rig: Rig) -> None:
    to_phone_step_of_a_complaint(rig)
    rig.session.answer(TYPED)
    assert rig.session.state is State.REVIEW
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert submission.payload.notify_phone == CANONICAL


def test_a_letters_number_is_not_one_of_its_answers(rig: Rig) -> None:
    signed_in(rig)
    rig.session.choose("sktm")
    rig.session.answer("Mendaftar sekolah anak")
    rig.session.answer("1500000")
    rig.session.attach(ScannedDocument(b"%PDF-kk", "application/pdf"))
    rig.session.attach(ScannedDocument(b"%PDF-rt", "application/pdf"))
    assert rig.of(StepChanged)[-1].step == NOTIFY_PHONE
    rig.session.answer("6281234567890")  # 62… is the same number
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, LetterSubmission)
    assert submission.payload.notify_phone == CANONICAL
    assert NOTIFY_PHONE not in submission.payload.answers


@pytest.mark.parametrize("typed", ["12345", "0212345678", "08123", "08" + "1" * 12])
def test_not_a_mobile_number_is_explained_without_repeating_it(rig: Rig, typed: str) -> None:
    to_phone_step_of_a_complaint(rig)
    rig.session.answer(typed)
    notice = rig.of(Notice)[-1]
    assert notice.message.id.startswith("Itu bukan nomor HP")
    assert "not a mobile number" in notice.message.en
    assert typed not in notice.message.id + notice.message.en
    assert rig.session.state is State.SERVICE
    assert rig.of(StepChanged)[-1].step == NOTIFY_PHONE


def test_ok_with_nothing_typed_is_a_no(rig: Rig) -> None:
    to_phone_step_of_a_complaint(rig)
    rig.session.answer("")
    assert rig.session.state is State.REVIEW
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert submission.payload.notify_phone is None


def test_back_from_the_review_returns_to_the_number_and_a_new_answer_replaces_it(
    rig: Rig,
) -> None:
    to_phone_step_of_a_complaint(rig)
    rig.session.answer("081111111111")
    rig.session.back()
    assert rig.of(StepChanged)[-1].step == NOTIFY_PHONE
    rig.session.answer(TYPED)
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert submission.payload.notify_phone == CANONICAL


def test_skipping_after_a_number_was_typed_sends_none(rig: Rig) -> None:
    to_phone_step_of_a_complaint(rig)
    rig.session.answer(TYPED)
    rig.session.back()
    rig.session.skip()  # changed their mind: no SMS/WhatsApp after all
    rig.session.submit()
    [(submission, _)] = rig.submitter.received
    assert isinstance(submission, ComplaintSubmission)
    assert submission.payload.notify_phone is None


def test_the_number_is_wiped_when_the_session_ends(rig: Rig) -> None:
    to_phone_step_of_a_complaint(rig)
    rig.session.answer(TYPED)
    rig.session.cancel()
    assert rig.session.state is State.IDLE
    assert not rig.session.holds_personal_data()
