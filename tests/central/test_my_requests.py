"""The "Permohonan saya" list: the signed-in resident's own letters, complaints and bansos
applications, newest first and at most 20, with nothing beyond what a receipt's lookup shows;
another resident's requests never appear, and without a live session there is no list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from central.contract import signing
from central.contract.services import MAX_MY_REQUESTS, LetterStatus, MyRequests
from central.seeding.seed import DemoIdentity
from tests.central.services_portal import Portal, error, image_bytes, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk

START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SUBMITTED = "2026-11-23T09:55:00+07:00"
ALLOWED_FIELDS = {"tracking_code", "kind", "title", "status_label", "received_at", "updated_at"}


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(START)
    resident_portal = Portal(central, kiosk)
    resident_portal.sign_in(demo_people[0])
    return resident_portal


def _later(portal: Portal, minutes: int) -> None:
    portal.central.clock.set(START + timedelta(minutes=minutes))


def _created(portal: Portal, path: str, body: dict[str, Any]) -> str:
    reply = portal.post(path, {"local_ref": local_ref(), "submitted_at": SUBMITTED, **body})
    assert reply.status_code == 201, reply.text
    code: str = reply.json()["tracking_code"]
    return code


def _letter(portal: Portal) -> str:
    scans = [portal.upload_ok(image_bytes("JPEG", (10 * i, 80, 120))) for i in range(2)]
    documents = [
        {"name": name, "document_id": doc}
        for name, doc in zip(["kk", "pengantar_rt"], scans, strict=True)
    ]
    answers = {"keperluan": "Beasiswa sekolah anak", "penghasilan": "Rp 500.001 - 1.000.000"}
    return _created(
        portal, "/v1/letters", {"service_id": "sktm", "answers": answers, "documents": documents}
    )


def _complaint(portal: Portal, text: str = "Lampu jalan mati sejak minggu lalu") -> str:
    return _created(portal, "/v1/complaints", {"category": "infrastruktur", "text": text})


def _listed(portal: Portal) -> tuple[MyRequests, list[dict[str, Any]]]:
    reply = portal.get("/v1/residents/me/requests")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return MyRequests.model_validate_json(reply.content), reply.json()["requests"]


def test_lists_every_kind_newest_first_with_its_status(portal: Portal) -> None:
    letter = _letter(portal)
    _later(portal, 5)
    complaint = _complaint(portal)
    _later(portal, 10)
    bansos = _created(portal, "/v1/bansos/applications", {"program_id": "bpnt"})
    _later(portal, 20)
    checked = portal.operator_post(
        f"/v1/operator/letters/{letter}/status",
        {"status": int(LetterStatus.MENUNGGU_TANDATANGAN), "reason": "ok"},
    )
    assert checked.status_code == 200, checked.text

    mine, raw = _listed(portal)

    assert [(r.tracking_code, r.kind) for r in mine.requests] == [
        (bansos, "bansos"),
        (complaint, "complaint"),
        (letter, "letter"),
    ]  # the seeded enrollments (no tracking code) were never the resident's requests
    by_code = {r.tracking_code: r for r in mine.requests}
    assert by_code[letter].title.id == "Surat Keterangan Tidak Mampu (SKTM)"
    assert by_code[letter].status_label.en == "Awaiting signature"
    assert by_code[letter].received_at == START
    assert by_code[letter].updated_at == START + timedelta(minutes=20)  # the status change
    assert by_code[complaint].title.en == "Complaint: Infrastructure"
    assert by_code[complaint].status_label.id == "Diterima"
    assert by_code[bansos].status_label.en == "Being verified"
    assert by_code[bansos].received_at == START + timedelta(minutes=10)
    for item in raw:  # nothing personal rides along: not the answers, not the text
        assert set(item) == ALLOWED_FIELDS
    assert "Lampu jalan" not in str(raw) and "Beasiswa" not in str(raw)


def test_bounded_to_the_newest(portal: Portal) -> None:
    codes = []
    for minute in range(MAX_MY_REQUESTS + 2):
        _later(portal, minute)
        codes.append(_complaint(portal, f"Aduan nomor {minute}"))
    mine, _raw = _listed(portal)
    assert [r.tracking_code for r in mine.requests] == codes[::-1][:MAX_MY_REQUESTS]


def test_a_resident_never_sees_another_residents_requests(
    portal: Portal, central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    mine = _complaint(portal)
    neighbour = Portal(central, kiosk)
    person = demo_people[1]
    neighbour.sign_in(person)  # a first sign-in: the PIN change comes first
    refused = neighbour.get("/v1/residents/me/requests")
    assert refused.status_code == 403 and error(refused).code == "pin_change_required"
    new_pin = "246810" if person.pin != "246810" else "135790"
    changed = neighbour.post(
        "/v1/sessions/current/pin", {"current_pin": person.pin, "new_pin": new_pin}
    )
    assert changed.status_code == 200, changed.text
    assert _listed(neighbour)[0].requests == []  # nothing yet, and never the other's
    theirs = _complaint(neighbour)

    assert [r.tracking_code for r in _listed(neighbour)[0].requests] == [theirs]
    assert [r.tracking_code for r in _listed(portal)[0].requests] == [mine]


def test_needs_a_live_resident_session(portal: Portal) -> None:
    _complaint(portal)
    anonymous = portal.get("/v1/residents/me/requests", resident=False)
    assert anonymous.status_code == 401
    assert portal.login is not None
    signed_out = portal.kiosk.session.delete(
        f"{portal.url}/v1/sessions/current",
        headers={signing.HEADER_SESSION: portal.login.session_token},
        timeout=10,
    )
    assert signed_out.status_code == 204  # the token is dead now
    ended = portal.get("/v1/residents/me/requests")
    assert ended.status_code == 401
