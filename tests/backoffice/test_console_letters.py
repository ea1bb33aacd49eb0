"""The back-office pages over HTTP, as a browser speaks to them: office scope on every route
(office A's operator against office B's request gets the 404 a missing code gets, and never
its data), status moves and the letter made from the page, scans shown inline and downloaded
with every view in the audit log, and the personal-data page's export and erasure."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from central.models import LetterRequest, OperatorAuditEntry
from tests.backoffice.helpers import qr_texts, sktm_request
from tests.central.conftest import Template
from tests.central.services_portal import Portal
from tests.console.conftest import OFFICE_A, OFFICE_B, ConsoleClient
from tests.console.routes import console_routes
from tests.support.central_server import CentralServer

LETTER_ROUTES = [r for r in console_routes() if r.template.startswith("/console/letters/{code}")]
MISSING_CODE = "SKT-ZZZZZZ"


@pytest.fixture
def made(console: CentralServer, sqlite_template: Template) -> dict[str, tuple[str, str, str]]:
    """A complete SKTM request at a kiosk of each office: (tracking code, name, NIK)."""
    made = {}
    person = next(p for p in sqlite_template.people if not p.must_change_pin)
    for office in (OFFICE_A, OFFICE_B):  # a resident may use any office's kiosk
        portal = Portal(console, console.enroll(office))
        portal.sign_in(person)
        made[office] = (sktm_request(portal), person.name, person.nik)
    return made


def _audit(console: CentralServer) -> list[tuple[str, str | None]]:
    with console.context.sessions() as db:
        rows = db.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id))
        return [(r.action, r.record) for r in rows]


def test_the_routes_under_test_are_the_back_office_ones() -> None:
    assert {r.template for r in LETTER_ROUTES} == {
        "/console/letters/{code}",
        "/console/letters/{code}/status",
        "/console/letters/{code}/letter",
        "/console/letters/{code}/letter/signed",
        "/console/letters/{code}/scans/{name}",
        "/console/letters/{code}/letter.pdf",
    }


def test_a_village_operator_sees_only_their_office(
    signed_in: dict[str, ConsoleClient], made: dict[str, tuple[str, str, str]]
) -> None:
    own, other = made[OFFICE_A], made[OFFICE_B]
    inbox = signed_in["village"].get("/console/letters").text
    assert own[0] in inbox and other[0] not in inbox
    admin_inbox = signed_in["admin"].get("/console/letters").text
    assert own[0] in admin_inbox and other[0] in admin_inbox
    assert signed_in["technician"].get("/console/letters").status_code == 403


def test_every_letter_route_refuses_another_offices_request_without_its_data(
    console: CentralServer,
    signed_in: dict[str, ConsoleClient],
    made: dict[str, tuple[str, str, str]],
) -> None:
    client = signed_in["village"]
    code, name, nik = made[OFFICE_B]
    before = _audit(console)
    fields = {"status": "2", "reason": "Diperiksa", "signer_name": "X", "signer_position": "Y"}
    for route in LETTER_ROUTES:
        path = route.template.replace("{name}", "kk")
        data = {"csrf": client.csrf, **fields} if route.method == "POST" else None
        answers = [
            client.http.request(
                route.method,
                client.base + path.replace("{code}", which),
                data=data,
                allow_redirects=False,
                timeout=10,
            )
            for which in (code, MISSING_CODE)
        ]
        assert [a.status_code for a in answers] == [404, 404], route
        # No telling theirs from a made-up code (the page names only the address asked for).
        assert answers[0].text.replace(code, MISSING_CODE) == answers[1].text
        assert name not in answers[0].text and nik not in answers[0].text
    assert _audit(console) == before  # nothing was done, nothing was seen
    with console.context.sessions() as db:
        row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == code))
        assert row is not None and row.status == 1 and len(row.history) == 1


def test_an_operator_moves_a_request_and_makes_its_letter_from_the_page(
    console: CentralServer,
    signed_in: dict[str, ConsoleClient],
    made: dict[str, tuple[str, str, str]],
) -> None:
    client = signed_in["village"]
    code, name, _nik = made[OFFICE_A]
    page = client.get(f"/console/letters/{code}")
    assert page.status_code == 200 and name in page.text
    assert "Pendaftaran beasiswa sekolah anak" in page.text  # the answers

    early = client.post(f"/console/letters/{code}/status", {"status": "3", "reason": "Siap"})
    assert early.status_code == 409 and "satu langkah" in early.text  # told why, in Indonesian
    no_reason = client.post(f"/console/letters/{code}/status", {"status": "2", "reason": ""})
    assert no_reason.status_code == 422
    moved = client.post(f"/console/letters/{code}/status", {"status": "2", "reason": "Lengkap"})
    assert moved.status_code == 303
    made_letter = client.post(
        f"/console/letters/{code}/letter",
        {"signer_name": "H. Sugeng Riyadi", "signer_position": "Kepala Desa"},
    )
    assert made_letter.status_code == 303
    ready = client.post(
        f"/console/letters/{code}/status", {"status": "3", "reason": "Ditandatangani"}
    )
    assert ready.status_code == 303
    page = client.get(f"/console/letters/{code}?done=moved")
    assert "Siap diambil" in page.text and "Status sudah diubah." in page.text

    pdf = client.get(f"/console/letters/{code}/letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;")
    (url,) = qr_texts(pdf.content)
    assert url.startswith(console.url + "/verify/")
    actions = [a for a, record in _audit(console) if record and record.startswith(code)]
    assert actions == ["letter_status", "letter_generate", "letter_status", "letter_view"]


def test_scans_are_shown_and_downloaded_and_every_view_is_audited(
    console: CentralServer,
    signed_in: dict[str, ConsoleClient],
    made: dict[str, tuple[str, str, str]],
) -> None:
    client = signed_in["village"]
    code = made[OFFICE_A][0]
    page = client.get(f"/console/letters/{code}").text
    assert f'src="/console/letters/{code}/scans/kk"' in page
    shown = client.get(f"/console/letters/{code}/scans/kk")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith("inline;")
    saved = client.get(f"/console/letters/{code}/scans/pengantar_rt?download=true")
    assert saved.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"/console/letters/{code}/scans/akta").status_code == 404
    audit = _audit(console)
    assert ("scan_view", f"{code}:kk") in audit
    assert ("scan_download", f"{code}:pengantar_rt") in audit


def test_the_policy_is_shown_and_only_a_district_admin_exports_or_erases(
    console: CentralServer,
    signed_in: dict[str, ConsoleClient],
    made: dict[str, tuple[str, str, str]],
) -> None:
    code, _name, nik = made[OFFICE_A]
    village = signed_in["village"]
    policy = village.get("/console/privacy")
    assert policy.status_code == 200 and "Pindaian dokumen dan foto pengaduan" in policy.text
    assert "/console/privacy/erase" not in policy.text
    assert village.post("/console/privacy/export", {"nik": nik}).status_code == 403

    admin = signed_in["admin"]
    admin.get("/console/privacy")
    exported = admin.post("/console/privacy/export", {"nik": nik})
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    data = json.loads(archive.read("resident.json"))
    assert data["resident"]["nik"] == nik
    exported_codes = {r["tracking_code"] for r in data["letter_requests"]}
    assert exported_codes == {code, made[OFFICE_B][0]}  # the same resident, both offices

    unconfirmed = admin.post("/console/privacy/erase", {"nik": nik})
    assert unconfirmed.status_code == 422
    erased = admin.post("/console/privacy/erase", {"nik": nik, "confirm": "yes"})
    assert erased.status_code == 200 and 'id="erasure-report"' in erased.text
    assert (
        admin.post("/console/privacy/erase", {"nik": "0" * 16, "confirm": "yes"}).status_code == 404
    )
    with console.context.sessions() as db:
        row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == code))
        assert row is not None and row.answers == {} and row.status == 5
    records = [record for action, record in _audit(console) if action.startswith("resident_")]
    assert len(records) == 2 and all(nik not in (r or "") for r in records)
