"""Village information edited in the back office reaches the kiosks: an announcement, a budget
line and a project's progress saved on the page are what the kiosk's information service
answers next; bad values are refused with the field named; another office's records are not
found."""

from __future__ import annotations

import html

import pytest

from central.contract.services import VillageInformation
from tests.central.services_portal import Portal
from tests.console.conftest import OFFICE_A, OFFICE_B, ConsoleClient
from tests.support.central_server import CentralServer


@pytest.fixture
def kiosk_a(console: CentralServer) -> Portal:
    return Portal(console, console.enroll(OFFICE_A))


def _shown(kiosk: Portal) -> VillageInformation:
    reply = kiosk.get("/v1/information", resident=False)
    assert reply.status_code == 200, reply.text
    return VillageInformation.model_validate_json(reply.content)


def test_what_an_office_saves_is_what_its_kiosk_shows(
    signed_in: dict[str, ConsoleClient], kiosk_a: Portal
) -> None:
    client = signed_in["village"]
    page = client.get("/console/information")
    assert page.status_code == 200 and OFFICE_A in page.text
    published = client.post(
        "/console/information/announcements",
        {
            "title_id": "Kerja bakti Minggu",
            "title_en": "Community work on Sunday",
            "body_id": "Kumpul di balai desa pukul 07.00.",
            "body_en": "Meet at 07.00.",
        },
    )
    assert published.status_code == 303
    line = {
        "year": "2026",
        "position": "9",
        "sector_id": "Bidang Kesehatan",
        "sector_en": "Health",
        "planned": "150000000",
        "realised": "42000000",
    }
    assert client.post("/console/information/budget", line).status_code == 303
    project = next(p for p in _shown(kiosk_a).projects)
    progress = client.post(
        f"/console/information/projects/{project.id}/progress", {"progress_pct": "85"}
    )
    assert progress.status_code == 303

    shown = _shown(kiosk_a)
    assert shown.announcements[0].title.id == "Kerja bakti Minggu"
    lines = {(b.year, ln.sector.en, ln.planned) for b in shown.budgets for ln in b.lines}
    assert (2026, "Health", 150_000_000) in lines
    assert next(p for p in shown.projects if p.id == project.id).progress_pct == 85

    notice = shown.announcements[0].id
    assert (
        client.post(f"/console/information/announcements/{notice}/withdraw", {}).status_code == 303
    )
    assert all(a.id != notice for a in _shown(kiosk_a).announcements)


@pytest.mark.parametrize(
    ("field", "value"),
    [("planned", "-5"), ("year", "1990"), ("realised", "abc"), ("sector_id", " ")],
)
def test_a_bad_value_is_refused_with_its_field_named(
    signed_in: dict[str, ConsoleClient], field: str, value: str
) -> None:
    line = {
        "year": "2026",
        "position": "1",
        "sector_id": "Bidang",
        "sector_en": "Sector",
        "planned": "1",
        "realised": "1",
        field: value,
    }
    reply = signed_in["village"].post("/console/information/budget", line)
    assert reply.status_code == 422 and f"Isian '{field}'" in html.unescape(reply.text)


def test_another_offices_records_are_not_found(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    kiosk_b = Portal(console, console.enroll(OFFICE_B))
    theirs = _shown(kiosk_b)
    client = signed_in["village"]
    for project in theirs.projects:
        path = f"/console/information/projects/{project.id}/progress"
        assert client.post(path, {"progress_pct": "1"}).status_code == 404
    for notice in (a for a in theirs.announcements if a.id.startswith(f"ann-{OFFICE_B}")):
        path = f"/console/information/announcements/{notice.id}/withdraw"
        assert client.post(path, {}).status_code == 404
    own_page = client.get(f"/console/information?office={OFFICE_B}").text  # asks for B, gets A
    assert f"({OFFICE_A})" in own_page
    assert theirs.projects and all(p.name not in own_page for p in theirs.projects)
    assert _shown(kiosk_b) == theirs
