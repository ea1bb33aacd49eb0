"""Complaints and bansos applications in the back office, over HTTP as a browser speaks: a
reply moves a complaint along its statuses and a resolved one takes no more; a pending
application is approved once, with its reason; and another office's complaint or application
is the same 404 as a made-up code on every route, with nothing done and nothing shown."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from central.models import BansosEnrollment, BansosReview, Complaint, OperatorAuditEntry
from tests.central.conftest import Template
from tests.central.services_portal import Portal, image_bytes, local_ref
from tests.console.conftest import OFFICE_A, OFFICE_B, ConsoleClient
from tests.support.central_server import CentralServer

COMPLAINT_TEXT = "Lampu penerangan jalan di dusun kami mati."


@pytest.fixture
def cases(console: CentralServer, sqlite_template: Template) -> dict[str, str]:
    """A complaint with a photo at each office's kiosk, and a bansos application at B's."""
    person = next(p for p in sqlite_template.people if not p.must_change_pin)
    made = {}
    for office in (OFFICE_A, OFFICE_B):
        portal = Portal(console, console.enroll(office))
        portal.sign_in(person)
        now = console.clock.now().isoformat()
        photo = portal.upload_ok(image_bytes("JPEG", (30, 60, 90)))
        reply = portal.post(
            "/v1/complaints",
            {
                "local_ref": local_ref(),
                "category": "infrastruktur",
                "text": COMPLAINT_TEXT,
                "photo_document_id": photo,
                "submitted_at": now,
            },
        )
        assert reply.status_code == 201, reply.text
        made[f"complaint_{office}"] = reply.json()["tracking_code"]
    applied = portal.post(
        "/v1/bansos/applications",
        {"local_ref": local_ref(), "program_id": "bpnt", "submitted_at": now},
    )
    assert applied.status_code == 201, applied.text
    made["bansos_B"] = applied.json()["tracking_code"]
    return made


def _audit_count(console: CentralServer) -> int:
    with console.context.sessions() as db:
        return len(db.scalars(select(OperatorAuditEntry.id)).all())


def test_a_reply_moves_the_complaint_and_a_resolved_one_is_closed(
    console: CentralServer, signed_in: dict[str, ConsoleClient], cases: dict[str, str]
) -> None:
    client = signed_in["village"]
    code = cases[f"complaint_{OFFICE_A}"]
    listing = client.get("/console/complaints").text
    assert code in listing and cases[f"complaint_{OFFICE_B}"] not in listing
    page = client.get(f"/console/complaints/{code}")
    assert COMPLAINT_TEXT in page.text and f"/console/complaints/{code}/photo" in page.text
    assert client.get(f"/console/complaints/{code}/photo").headers["content-type"] == "image/jpeg"

    sent = client.post(
        f"/console/complaints/{code}/reply",
        {"text": "Petugas datang besok pagi.", "status": "in_progress"},
    )
    assert sent.status_code == 303
    page = client.get(f"/console/complaints/{code}?done=1")
    assert "Petugas datang besok pagi." in page.text and "Sedang ditangani" in page.text
    empty = client.post(f"/console/complaints/{code}/reply", {"text": "  ", "status": ""})
    assert empty.status_code == 422
    done = client.post(
        f"/console/complaints/{code}/reply", {"text": "Lampu sudah diganti.", "status": "resolved"}
    )
    assert done.status_code == 303
    late = client.post(f"/console/complaints/{code}/reply", {"text": "Lagi", "status": ""})
    assert late.status_code == 409 and "sudah selesai" in late.text
    with console.context.sessions() as db:
        row = db.scalar(select(Complaint).where(Complaint.tracking_code == code))
        assert row is not None and row.status == "resolved"


def test_another_offices_complaint_and_application_are_not_found(
    console: CentralServer, signed_in: dict[str, ConsoleClient], cases: dict[str, str]
) -> None:
    client = signed_in["village"]
    other = cases[f"complaint_{OFFICE_B}"]
    before = _audit_count(console)
    for method, path, data in (
        ("GET", f"/console/complaints/{other}", None),
        ("GET", f"/console/complaints/{other}/photo", None),
        ("POST", f"/console/complaints/{other}/reply", {"text": "x", "status": "resolved"}),
        (
            "POST",
            f"/console/bansos/{cases['bansos_B']}/decision",
            {"decision": "approve", "reason": "x"},
        ),
    ):
        fields = {"csrf": client.csrf, **data} if data else None
        reply = client.http.request(
            method, client.base + path, data=fields, timeout=10, allow_redirects=False
        )
        assert reply.status_code == 404, path
        assert COMPLAINT_TEXT not in reply.text
    assert cases["bansos_B"] not in client.get("/console/bansos").text
    assert _audit_count(console) == before
    with console.context.sessions() as db:
        row = db.scalar(select(Complaint).where(Complaint.tracking_code == other))
        assert row is not None and row.status == "received"
        enrollment = db.scalar(
            select(BansosEnrollment).where(BansosEnrollment.tracking_code == cases["bansos_B"])
        )
        assert enrollment is not None and enrollment.status == "pending"


def test_an_application_is_decided_once_with_its_reason(
    console: CentralServer, signed_in: dict[str, ConsoleClient], cases: dict[str, str]
) -> None:
    client = signed_in["village_b"]
    code = cases["bansos_B"]
    assert code in client.get("/console/bansos").text
    path = f"/console/bansos/{code}/decision"
    assert client.post(path, {"decision": "approve", "reason": ""}).status_code == 422
    assert client.post(path, {"decision": "maybe", "reason": "x"}).status_code == 422
    decided = client.post(path, {"decision": "approve", "reason": "Memenuhi syarat DTKS"})
    assert decided.status_code == 303
    again = client.post(path, {"decision": "reject", "reason": "Salah"})
    assert again.status_code == 409
    with console.context.sessions() as db:
        enrollment = db.scalar(
            select(BansosEnrollment).where(BansosEnrollment.tracking_code == code)
        )
        assert enrollment is not None and enrollment.status == "active"
        reviews = db.scalars(
            select(BansosReview).where(BansosReview.enrollment_id == enrollment.id)
        )
        assert [(r.decision, r.reason) for r in reviews] == [("approve", "Memenuhi syarat DTKS")]
