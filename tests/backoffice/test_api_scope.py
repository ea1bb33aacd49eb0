"""The operator API's back-office routes follow the console's roles: a village operator's API
key reaches only their office's letter requests, letters and scans (another office's are the
same 404 as unknown ones), a technician's none (403), a district admin's all."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from central.models import LetterRequest
from central.security.operators import create_api_key, create_operator
from central.security.roles import Role
from central.seeding.seed import DemoIdentity
from tests.backoffice.helpers import SIGNER, sktm_request
from tests.central.services_portal import Portal
from tests.support.central_server import CentralServer

OFFICE_A = "35.10.01.2001"
OFFICE_B = "35.10.02.2001"


def _key(central: CentralServer, name: str, role: Role, office: str | None = None) -> str:
    with central.context.sessions() as db:
        now = central.clock.now()
        create_operator(db, name, "correct horse battery", now, role, office)
        return create_api_key(db, name, now)


@pytest.fixture
def codes(central: CentralServer, demo_people: list[DemoIdentity]) -> dict[str, str]:
    made = {}
    for office in (OFFICE_A, OFFICE_B):
        portal = Portal(central, central.enroll(office))
        portal.sign_in(demo_people[0])
        made[office] = sktm_request(portal)
    return made


def test_a_village_operators_key_reaches_only_their_office(
    central: CentralServer, codes: dict[str, str]
) -> None:
    headers = {"X-Api-Key": _key(central, "desa-a", Role.VILLAGE_OPERATOR, OFFICE_A)}

    def call(method: str, path: str, **kwargs: object) -> requests.Response:
        return requests.request(method, central.url + path, headers=headers, timeout=10, **kwargs)  # type: ignore[arg-type]

    listed = call("GET", "/v1/operator/letters").json()
    assert [i["tracking_code"] for i in listed["items"]] == [codes[OFFICE_A]]
    assert call("GET", "/v1/operator/letters", params={"office_id": OFFICE_B}).json() == {
        "total": 0,
        "items": [],
    }
    own = call("GET", f"/v1/operator/letters/{codes[OFFICE_A]}")
    assert own.status_code == 200
    theirs = codes[OFFICE_B]
    unknown = call("GET", "/v1/operator/letters/SKT-ZZZZZZ").json()
    for method, path, body in (
        ("GET", f"/v1/operator/letters/{theirs}", None),
        ("POST", f"/v1/operator/letters/{theirs}/status", {"status": 2, "reason": "x"}),
        ("POST", f"/v1/operator/letters/{theirs}/letter", SIGNER),
        ("GET", f"/v1/operator/letters/{theirs}/letter", None),
        ("GET", f"/v1/operator/letters/{theirs}/letter.pdf", None),
    ):
        reply = call(method, path, json=body)
        assert reply.status_code == 404 and reply.json() == unknown, path
    scan_b = _scan_of(central, theirs)
    scan_a = _scan_of(central, codes[OFFICE_A])
    assert call("GET", f"/v1/operator/documents/{scan_b}").status_code == 404
    assert call("GET", f"/v1/operator/documents/{scan_a}").status_code == 200


def test_a_technicians_key_opens_no_back_office_route(
    central: CentralServer, codes: dict[str, str]
) -> None:
    headers = {"X-Api-Key": _key(central, "tech", Role.TECHNICIAN)}
    for path in ("/v1/operator/letters", f"/v1/operator/letters/{codes[OFFICE_A]}"):
        assert requests.get(central.url + path, headers=headers, timeout=10).status_code == 403


def test_a_district_admins_key_reaches_every_office(
    central: CentralServer, codes: dict[str, str]
) -> None:
    headers = {"X-Api-Key": _key(central, "admin", Role.DISTRICT_ADMIN)}
    listed = requests.get(central.url + "/v1/operator/letters", headers=headers, timeout=10)
    assert {i["tracking_code"] for i in listed.json()["items"]} == set(codes.values())


def _scan_of(central: CentralServer, code: str) -> str:
    with central.context.sessions() as db:
        row = db.scalar(select(LetterRequest).where(LetterRequest.tracking_code == code))
        assert row is not None
        return row.documents[0].document_id
