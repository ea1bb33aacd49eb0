"""Complaints, village information and tracking: what a kiosk shows without a resident's
data, and what it files with one."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from central.contract.services import Complaint, VillageInformation
from central.models import Complaint as ComplaintRow
from central.seeding.seed import DemoIdentity
from central.services.tracking import ALPHABET
from kiosk.outbox import new_local_ref
from tests.central.services_portal import Portal, error, image_bytes, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk

TEXT = "Lampu penerangan jalan di depan rumah nomor 12 RT 003 padam sejak seminggu."


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    resident_portal = Portal(central, kiosk)
    resident_portal.sign_in(demo_people[0])
    return resident_portal


def _complain(portal: Portal, **changes: Any) -> Any:
    body = {
        "local_ref": local_ref(),
        "category": "infrastruktur",
        "text": TEXT,
        "submitted_at": "2026-11-23T09:58:00+07:00",
        **changes,
    }
    return portal.post("/v1/complaints", body)


def _count(central: CentralServer) -> int:
    with central.context.sessions() as db:
        return db.scalar(select(func.count()).select_from(ComplaintRow)) or 0


# ---------------------------------------------------------------- complaints


def test_complaint_without_a_photo(portal: Portal) -> None:
    reply = _complain(portal)
    assert reply.status_code == 201, reply.text
    complaint = Complaint.model_validate_json(reply.content)
    assert complaint.status == "received" and complaint.category == "infrastruktur"
    assert re.fullmatch(rf"ADU-[{ALPHABET}]{{6}}", complaint.tracking_code)
    assert TEXT not in reply.text


def test_complaint_with_a_photo(portal: Portal) -> None:
    photo = portal.upload_ok(image_bytes("JPEG"))
    assert _complain(portal, photo_document_id=photo).status_code == 201
    with portal.central.context.sessions() as db:
        row = db.scalar(select(ComplaintRow))
        assert row is not None and row.photo_document_id == photo and row.text == TEXT


def test_complaint_photo_must_be_an_image_from_this_kiosk(portal: Portal) -> None:
    pdf = portal.upload_ok(image_bytes("PDF"), "application/pdf")
    not_image = _complain(portal, photo_document_id=pdf)
    assert not_image.status_code == 422 and error(not_image).code == "photo_not_an_image"
    unknown = _complain(portal, photo_document_id="0" * 32)
    assert unknown.status_code == 422 and error(unknown).code == "document_unknown"
    assert _count(portal.central) == 0


def test_complaint_repeat_and_too_short_text(portal: Portal) -> None:
    ref = local_ref()
    first, second = _complain(portal, local_ref=ref), _complain(portal, local_ref=ref)
    assert first.json() == second.json() and _count(portal.central) == 1
    short = _complain(portal, text="abc")
    assert short.status_code == 422 and error(short).code == "invalid_input"


# ---------------------------------------------------------------- information


def _information(portal: Portal) -> VillageInformation:
    reply = portal.get("/v1/information", resident=False)
    assert reply.status_code == 200, reply.text
    return VillageInformation.model_validate_json(reply.content)


def test_information_for_the_kiosks_village(portal: Portal) -> None:
    info = _information(portal)
    assert info.office_id == "35.10.01.2001"
    assert [b.year for b in info.budgets] == [2026, 2025]
    for budget in info.budgets:
        assert len(budget.lines) == 5
        assert budget.lines[0].sector.id == "Penyelenggaraan Pemerintahan Desa"
        assert all(0 < line.realised <= line.planned for line in budget.lines)
    assert len(info.projects) == 3
    for project in info.projects:
        assert -8.8 < project.latitude < -7.8 and 113.8 < project.longitude < 114.6  # Banyuwangi
        assert 0 <= project.progress_pct <= 100 and project.budget > 0
    titles = [a.title.id for a in info.announcements]
    assert titles == [
        "Musyawarah Desa RKPDes 2027",
        "Perekaman e-KTP keliling",
        "Penyaluran BLT Dana Desa tahap IV",
    ]  # newest first, the kabupaten's notice among the village's own


def test_other_offices_see_only_their_own_and_the_regencys(central: CentralServer) -> None:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    neighbour = _information(Portal(central, central.enroll("35.10.02.2001")))
    assert len(neighbour.budgets) == 2 and len(neighbour.projects) == 2
    assert [a.title.en for a in neighbour.announcements] == ["Mobile e-KTP registration"]
    muncar = _information(Portal(central, central.enroll("35.10.05.2001")))
    assert (muncar.budgets, muncar.projects) == ([], [])
    assert len(muncar.announcements) == 1


def test_announcements_appear_when_published(portal: Portal) -> None:
    # Seeded for 2026-11-01: the village meeting is published on 31 October at 10:00 WIB.
    portal.central.clock.set(datetime(2026, 10, 31, 2, 59, tzinfo=UTC))
    before = [a.title.en for a in _information(portal).announcements]
    assert before == ["Mobile e-KTP registration", "BLT Dana Desa, fourth payment"]
    portal.central.clock.advance(60)
    assert len(_information(portal).announcements) == 3


def test_information_without_a_signature_names_its_office(central: CentralServer) -> None:
    """Public, as documented (issue 15): tests/public/test_public_access.py has the rest."""
    import requests

    reply = requests.get(f"{central.url}/v1/information", timeout=10)
    assert reply.status_code == 422 and error(reply).code == "office_required"


# ---------------------------------------------------------------- tracking


def _personal(person: DemoIdentity) -> list[str]:
    return [person.nik, person.name, person.nik[:4] + "********" + person.nik[12:], person.pin]


def test_tracking_shows_status_and_nothing_personal(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    scans = [portal.upload_ok(image_bytes("JPEG", (i, i, i))) for i in (1, 2)]
    letter = portal.post(
        "/v1/letters",
        {
            "local_ref": local_ref(),
            "service_id": "sktm",
            "answers": {
                "keperluan": "Keringanan biaya rumah sakit",
                "penghasilan": "Rp 500.001 - 1.000.000",
            },
            "documents": [
                {"name": "kk", "document_id": scans[0]},
                {"name": "pengantar_rt", "document_id": scans[1]},
            ],
            "submitted_at": "2026-11-23T09:59:00+07:00",
        },
    ).json()["tracking_code"]
    complaint = _complain(portal).json()["tracking_code"]
    bansos = portal.post(
        "/v1/bansos/applications",
        {
            "local_ref": local_ref(),
            "program_id": "bpnt",
            "submitted_at": "2026-11-23T09:59:30+07:00",
        },
    ).json()["tracking_code"]
    anonymous = Portal(portal.central, portal.central.enroll("35.10.02.2001"))
    expected = {
        letter: ("letter", "Sedang diperiksa"),
        complaint: ("complaint", "Diterima"),
        bansos: ("bansos", "Sedang diverifikasi"),
    }
    for code, (kind, status) in expected.items():
        reply = anonymous.get(f"/v1/track/{code.lower()}", resident=False)
        assert reply.status_code == 200, reply.text
        item = reply.json()
        assert (item["tracking_code"], item["kind"], item["status_label"]["id"]) == (
            code,
            kind,
            status,
        )
        assert set(item) == {
            "tracking_code",
            "kind",
            "title",
            "status_label",
            "updated_at",
            "steps",
        }
        for secret in [
            *_personal(demo_people[0]),
            "Keringanan",
            "Rp 500.001 - 1.000.000",
            TEXT[:20],
        ]:
            assert secret not in reply.text
    assert (
        anonymous.get(f"/v1/track/{complaint}", resident=False).json()["title"]["id"]
        == "Pengaduan: Infrastruktur"
    )


def test_unknown_tracking_code_is_404(portal: Portal) -> None:
    reply = portal.get("/v1/track/SKT-2222222", resident=False)
    assert reply.status_code == 404 and error(reply).code == "tracking_code_unknown"


def test_an_offline_slips_reference_finds_the_delivered_submission(portal: Portal) -> None:
    reference = new_local_ref()  # what the outbox chose and the "saved, not sent" slip prints
    assert portal.get(f"/v1/track/{reference}", resident=False).status_code == 404  # not yet
    delivered = _complain(portal, local_ref=reference)  # the outbox delivers it later
    assert delivered.status_code == 201
    tracking_code = delivered.json()["tracking_code"]
    same_office = Portal(portal.central, portal.central.enroll("35.10.01.2001"))
    for kiosk_portal in (portal, same_office):
        reply = kiosk_portal.get(f"/v1/track/{reference}", resident=False)
        assert reply.status_code == 200, reply.text
        assert reply.json()["tracking_code"] == tracking_code
        assert reply.json()["kind"] == "complaint"
    other_office = Portal(portal.central, portal.central.enroll("35.10.02.2001"))
    assert other_office.get(f"/v1/track/{reference}", resident=False).status_code == 404
