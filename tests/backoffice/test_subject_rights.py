"""A resident's rights over their data (UU PDP): everything the centre holds about them as a
zip, and erasure of what the law lets go, keeping (and counting) what it must keep."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from sqlalchemy import func, select

from central.models import (
    Complaint,
    Document,
    FinishedLetter,
    LetterRequest,
    Operator,
    Resident,
    ResidentSession,
)
from central.privacy import subject
from central.seeding.seed import DemoIdentity
from tests.backoffice.helpers import SKTM_ANSWERS, generate, move, sktm_request
from tests.central.services_portal import Portal, image_bytes, local_ref

COMPLAINT_TEXT = "Jalan di depan balai desa berlubang besar."


def _complaint(portal: Portal) -> tuple[str, bytes]:
    photo = image_bytes("PNG", (90, 90, 20))
    photo_id = portal.upload_ok(photo, "image/png")
    reply = portal.post(
        "/v1/complaints",
        {
            "local_ref": local_ref(),
            "category": "infrastruktur",
            "text": COMPLAINT_TEXT,
            "photo_document_id": photo_id,
            "submitted_at": portal.central.clock.now().isoformat(),
        },
    )
    assert reply.status_code == 201, reply.text
    code: str = reply.json()["tracking_code"]
    return code, photo


def _resident_id(portal: Portal, person: DemoIdentity) -> int:
    with portal.central.context.sessions() as db:
        found = db.scalar(select(Resident.id).where(Resident.nik == person.nik))
        assert found is not None
        return found


def _scans_of(portal: Portal, code: str) -> list[bytes]:
    with portal.central.context.sessions() as db:
        row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == code))
        assert row is not None
        return [db.get(Document, d.document_id).content for d in row.documents]  # type: ignore[union-attr]


def test_export_holds_the_residents_data_and_files(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    code = sktm_request(portal)
    scans = _scans_of(portal, code)
    generate(portal, code)
    complaint_code, photo = _complaint(portal)
    resident_id = _resident_id(portal, demo_people[0])

    with portal.central.context.sessions() as db:
        archive = zipfile.ZipFile(io.BytesIO(subject.export(db, resident_id)))
    data: dict[str, Any] = json.loads(archive.read("resident.json"))
    assert data["resident"]["nik"] == demo_people[0].nik
    (request,) = data["letter_requests"]
    assert request["tracking_code"] == code and request["answers"] == SKTM_ANSWERS
    assert sorted(archive.read(path) for path in request["scans"]) == sorted(scans)
    assert archive.read(request["letter"]["file"]).startswith(b"%PDF-")
    (complaint,) = data["complaints"]
    assert complaint["tracking_code"] == complaint_code and complaint["text"] == COMPLAINT_TEXT
    assert archive.read(complaint["photo"]) == photo
    assert data["sign_ins"] and data["sign_ins"][0]["kiosk_id"] == portal.kiosk.kiosk_id


def test_erasure_removes_what_the_law_lets_go_and_keeps_the_rest(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    ready = sktm_request(portal)
    assert move(portal, ready, 2).status_code == 200
    assert generate(portal, ready).status_code == 200
    assert move(portal, ready, 3, "Sudah ditandatangani").status_code == 200
    open_request = sktm_request(portal)
    _complaint(portal)
    resident_id = _resident_id(portal, demo_people[0])
    # Both requests carry the same two scans (content-addressed: stored once) and the
    # complaint its photo.
    distinct_files = len({*_scans_of(portal, ready), *_scans_of(portal, open_request)}) + 1

    with portal.central.context.sessions() as db:
        operator_id = db.scalar(select(Operator.id).where(Operator.username == "operator"))
        assert operator_id is not None
        documents_before = db.scalar(select(func.count()).select_from(Document)) or 0
        report = subject.erase(db, resident_id, operator_id, portal.central.clock.now())
    assert report.scans_deleted == distinct_files
    assert report.requests_cancelled == 1 and report.answers_erased == 2
    assert report.letters_kept == 1 and report.complaints_erased == 1
    assert report.sign_ins_deleted >= 1

    with portal.central.context.sessions() as db:
        documents_after = db.scalar(select(func.count()).select_from(Document))
        assert documents_after == documents_before - distinct_files
        rows = {r.tracking_code: r for r in db.scalars(select(LetterRequest))}
        assert rows[open_request].status == 5 and rows[open_request].answers == {}
        assert rows[ready].status == 3 and rows[ready].answers == {}
        assert db.scalar(select(func.count()).select_from(FinishedLetter)) == 1  # archive
        complaint = db.scalar(select(Complaint))
        assert (
            complaint is not None and complaint.text == "" and complaint.photo_document_id is None
        )
        assert (
            db.scalar(select(func.count()).where(ResidentSession.resident_id == resident_id)) == 0
        )
        assert db.get(Resident, resident_id) is not None  # the population register is SIAK's
