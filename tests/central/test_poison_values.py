"""Values that used to get in and break things later: non-finite numbers, NUL characters,
absurd dates. Each is refused at the door (422) the same way on SQLite and PostgreSQL, and the
fleet view survives a stored row that no longer reads back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import update

from central.models import KioskState
from central.security.body_limit import has_nul
from central.seeding.seed import DemoIdentity
from tests.central.services_portal import Portal, error, local_ref
from tests.central.test_heartbeats import beat
from tests.support.central_server import CentralServer, EnrolledKiosk


def _raw_heartbeat(central: CentralServer, kiosk: EnrolledKiosk, text: str) -> requests.Response:
    return kiosk.session.post(
        f"{central.url}/v1/heartbeats",
        data=text.encode(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e309"])
def test_non_finite_numbers_are_refused(
    central: CentralServer, kiosk: EnrolledKiosk, number: str
) -> None:
    text = json.dumps(beat(kiosk.kiosk_id, 1)).replace(
        '"uptime_s": 3600.5', f'"uptime_s": {number}'
    )
    assert number in text
    reply = _raw_heartbeat(central, kiosk, text)
    assert reply.status_code == 422, reply.text
    assert error(reply).code == "invalid_input"


def test_fleet_view_survives_a_stored_heartbeat_that_does_not_read_back(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    assert _raw_heartbeat(central, kiosk, json.dumps(beat(kiosk.kiosk_id, 1))).status_code == 202
    broken = beat(kiosk.kiosk_id, 1, uptime_s=None)  # what 1e309 used to be stored as
    with central.context.sessions() as db:
        db.execute(update(KioskState).values(payload=broken))
        db.commit()
    other = central.enroll("35.10.02.2001")
    key = central.operator_api_key()
    reply = requests.get(f"{central.url}/v1/fleet", headers={"X-Api-Key": key}, timeout=10)
    assert reply.status_code == 200, reply.text
    kiosks = {entry["kiosk_id"]: entry for entry in reply.json()["kiosks"]}
    assert kiosks[kiosk.kiosk_id]["heartbeat"] is None
    assert kiosks[kiosk.kiosk_id]["last_seen_at"] is not None
    assert other.kiosk_id in kiosks


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    resident_portal = Portal(central, kiosk)
    resident_portal.sign_in(demo_people[0])
    return resident_portal


def _complaint(**changes: Any) -> dict[str, Any]:
    return {
        "local_ref": local_ref(),
        "category": "infrastruktur",
        "text": "Lampu jalan di depan balai desa padam sejak seminggu.",
        "submitted_at": "2026-11-23T09:58:00+07:00",
        **changes,
    }


def test_a_nul_character_in_a_complaint_is_refused(portal: Portal) -> None:
    reply = portal.post("/v1/complaints", _complaint(text="Lampu jalan\u0000 padam seminggu."))
    assert reply.status_code == 422, reply.text
    assert error(reply).details == {"errors": [{"loc": ["body"], "type": "nul_character"}]}
    assert portal.post("/v1/complaints", _complaint()).status_code == 201  # nothing blocked


@pytest.mark.parametrize("query", ["office_id=35.10%0001.2001", "office_id=%00"])
def test_a_nul_character_in_a_query_is_refused_before_the_database(
    portal: Portal, query: str
) -> None:
    """Schemathesis found GET /v1/operator/queue answering 500 on PostgreSQL for a NUL."""
    reply = requests.get(
        f"{portal.central.url}/v1/operator/queue?{query}",
        headers={"X-Api-Key": portal.central.operator_api_key()},
        timeout=10,
    )
    assert reply.status_code == 422, reply.text
    assert error(reply).details == {"errors": [{"loc": ["query"], "type": "nul_character"}]}


def test_a_nul_character_in_a_batch_is_refused(portal: Portal) -> None:
    assert portal.login is not None
    item = _complaint(text="Lampu jalan\u0000 padam seminggu.")
    batch = {
        "items": [
            {
                "kind": "complaint",
                "local_ref": item["local_ref"],
                "grant": portal.login.submission_grant,
                "body": item,
            }
        ]
    }
    reply = portal.post("/v1/submissions/batch", batch, resident=False)
    assert reply.status_code == 422, reply.text


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+00:00", "2025-01-01T00:00:00+07:00"])
def test_a_submission_from_long_ago_is_refused(portal: Portal, moment: str) -> None:
    reply = portal.post("/v1/complaints", _complaint(submitted_at=moment))
    assert reply.status_code == 422, reply.text
    assert error(reply).code == "submitted_at_invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"a": "x\\u0000"}', True),
        (b'{"a": "\\\\\\u0000"}', True),  # an escaped backslash, then a NUL
        (b'{"a": "\\\\u0000"}', False),  # a backslash, then the letters u0000
        (b'{"a": "u0000"}', False),
        (b'{"a": "\\u0001"}', False),
    ],
)
def test_nul_detection_reads_json_escapes(text: bytes, expected: bool) -> None:
    assert has_nul(text) is expected
