"""Collecting a finished letter at the kiosk, centre side: the signed-in resident's letters
'siap diambil' with a PDF, the PDF itself, and 'printed' recorded once (printed_at, status
'sudah diambil'); another resident, another office's kiosk or a collected letter gets
nothing, and answers exactly as an unknown code does."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from central.contract import signing
from central.contract.collect import FinishedLetters, LetterPrinted
from central.contract.services import LetterRequest, LetterStatus
from central.models import FinishedLetter
from central.models import LetterRequest as LetterRow
from central.seeding.seed import DemoIdentity
from tests.central.services_portal import Portal, error, image_bytes, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk
from tests.support.cups import letter_pdf
from tests.support.letters import attach_finished_pdf

NOW = "2026-11-23T09:15:00+07:00"
LETTER_PDF = letter_pdf("surat keterangan tidak mampu")


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    kiosk_portal = Portal(central, kiosk)
    kiosk_portal.sign_in(demo_people[0])
    return kiosk_portal


def request_letter(portal: Portal) -> str:
    scans = [portal.upload_ok(image_bytes("JPEG", (10 * i, 80, 120))) for i in range(2)]
    body = {
        "local_ref": local_ref(),
        "service_id": "sktm",
        "answers": {"keperluan": "Beasiswa sekolah anak", "penghasilan": "Rp 500.001 - 1.000.000"},
        "documents": [
            {"name": name, "document_id": doc}
            for name, doc in zip(["kk", "pengantar_rt"], scans, strict=True)
        ],
        "submitted_at": NOW,
    }
    reply = portal.post("/v1/letters", body, key=str(body["local_ref"]))
    assert reply.status_code == 201, reply.text
    return LetterRequest.model_validate_json(reply.content).tracking_code


def make_ready(portal: Portal, code: str, pdf: bytes | None = LETTER_PDF) -> None:
    """Checked, awaiting signature, then (as the back office does) the signed PDF attached,
    which makes it ready; without ``pdf`` it stays awaiting signature (the back office
    refuses "ready" without a letter)."""
    reply = portal.operator_post(
        f"/v1/operator/letters/{code}/status",
        {"status": int(LetterStatus.MENUNGGU_TANDATANGAN), "reason": "ok"},
    )
    assert reply.status_code == 200, reply.text
    if pdf is None:
        return
    with portal.central.context.sessions() as db:
        row = db.scalar(select(LetterRow).where(LetterRow.tracking_code == code))
        assert row is not None
        attach_finished_pdf(db, row, pdf, portal.central.clock.now())


def listed(portal: Portal) -> list[str]:
    reply = portal.get("/v1/residents/me/letters")
    assert reply.status_code == 200, reply.text
    return [
        letter.tracking_code
        for letter in FinishedLetters.model_validate_json(reply.content).letters
    ]


def printed(portal: Portal, code: str, key: str | None = None) -> requests.Response:
    return portal.post(f"/v1/letters/{code}/printed", None, key=key or secrets.token_hex(8))


def test_a_ready_letter_is_listed_downloaded_and_recorded_as_printed(portal: Portal) -> None:
    ready = request_letter(portal)
    make_ready(portal, ready)
    signed_no_pdf = request_letter(portal)
    make_ready(portal, signed_no_pdf, pdf=None)
    request_letter(portal)  # still being checked

    assert listed(portal) == [ready]
    reply = portal.get(f"/v1/letters/{ready}/pdf")
    assert reply.status_code == 200
    assert reply.content == LETTER_PDF
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["cache-control"] == "no-store"

    portal.central.clock.set(datetime(2026, 11, 23, 3, 2, tzinfo=UTC))
    key = secrets.token_hex(8)
    first = printed(portal, ready, key)
    assert first.status_code == 200, first.text
    answer = LetterPrinted.model_validate_json(first.content)
    assert answer.status is LetterStatus.SUDAH_DIAMBIL
    assert answer.printed_at == datetime(2026, 11, 23, 3, 2, tzinfo=UTC)
    again = printed(portal, ready, key)  # the outbox's retry
    assert again.json() == first.json()

    assert listed(portal) == []
    assert error(portal.get(f"/v1/letters/{ready}/pdf")).code == "letter_not_ready"
    with portal.central.context.sessions() as db:
        row = db.scalar(select(LetterRow).where(LetterRow.tracking_code == ready))
        assert row is not None and row.status == LetterStatus.SUDAH_DIAMBIL
        assert row.history[-1].reason == f"Dicetak di anjungan {portal.kiosk.kiosk_id}"
        letter = db.get(FinishedLetter, row.id)
        assert letter is not None and letter.printed_at == answer.printed_at
    second = printed(portal, ready)  # another print (a new key) of a collected letter
    assert (second.status_code, error(second).code) == (409, "letter_not_ready")


def test_another_resident_or_office_learns_nothing(
    portal: Portal, central: CentralServer, demo_people: list[DemoIdentity]
) -> None:
    code = request_letter(portal)
    make_ready(portal, code)

    neighbour = Portal(central, portal.kiosk)
    person = demo_people[1]
    if neighbour.sign_in(person).must_change_pin:
        change = {"current_pin": person.pin, "new_pin": "482915"}
        assert neighbour.post("/v1/sessions/current/pin", change).status_code == 200
    elsewhere = Portal(central, central.enroll("35.10.02.2001"))
    elsewhere.sign_in(demo_people[0])
    for stranger in (neighbour, elsewhere):
        assert listed(stranger) == []
        for reply in (stranger.get(f"/v1/letters/{code}/pdf"), printed(stranger, code)):
            assert reply.status_code == 404
            assert error(reply).code == "letter_unknown"
    unknown = portal.get("/v1/letters/SKTM-ZZZZZZ/pdf")
    assert (unknown.status_code, error(unknown).code) == (404, "letter_unknown")
    assert listed(portal) == [code]  # untouched by the attempts


def test_a_session_is_needed_not_just_the_submission_grant(portal: Portal) -> None:
    code = request_letter(portal)
    make_ready(portal, code)
    assert portal.login is not None
    grant = {signing.HEADER_GRANT: portal.login.submission_grant}
    for reply in (
        portal.kiosk.session.get(f"{portal.url}/v1/residents/me/letters", headers=grant),
        portal.kiosk.session.get(f"{portal.url}/v1/letters/{code}/pdf", headers=grant),
    ):
        assert reply.status_code == 401
