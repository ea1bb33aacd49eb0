"""Bansos: a resident's enrollments, and applications under the one-program-per-cluster rule,
refused with the program that holds the cluster named."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from central.contract.services import BansosApplication, BansosStatus
from central.seeding.seed import DemoIdentity
from central.services.tracking import ALPHABET
from tests.central.services_portal import Portal, error, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    resident_portal = Portal(central, kiosk)
    resident_portal.sign_in(demo_people[0])  # seeded: PKH active, BPNT ended
    return resident_portal


def _apply(portal: Portal, program_id: str, ref: str | None = None) -> Any:
    body = {
        "local_ref": ref or local_ref(),
        "program_id": program_id,
        "submitted_at": "2026-11-23T09:55:00+07:00",
    }
    return portal.post("/v1/bansos/applications", body)


def _status(portal: Portal) -> BansosStatus:
    reply = portal.get("/v1/bansos")
    assert reply.status_code == 200, reply.text
    return BansosStatus.model_validate_json(reply.content)


def test_status_lists_enrollments_and_programs_by_cluster(portal: Portal) -> None:
    status = _status(portal)
    assert [(e.program_id, e.status, e.cluster) for e in status.enrollments] == [
        ("pkh", "active", "tunai"),
        ("bpnt", "ended", "pangan"),
    ]
    assert status.enrollments[0].program_name.id == "Program Keluarga Harapan (PKH)"
    clusters = {p.id: (p.cluster, p.open_for_applications) for p in status.programs}
    assert clusters == {
        "bpnt": ("pangan", True),
        "pkh": ("tunai", True),
        "blt_dd": ("tunai", True),
        "pbi_jk": ("kesehatan", False),
    }


def test_application_in_a_free_cluster_is_accepted(portal: Portal) -> None:
    reply = _apply(portal, "bpnt")  # the old BPNT enrollment ended: 'pangan' is free
    assert reply.status_code == 201, reply.text
    application = BansosApplication.model_validate_json(reply.content)
    assert application.status == "pending" and application.program_id == "bpnt"
    assert re.fullmatch(rf"BSO-[{ALPHABET}]{{6}}", application.tracking_code)
    enrollments = [(e.program_id, e.status) for e in _status(portal).enrollments]
    assert ("bpnt", "pending") in enrollments

    again = _apply(portal, "bpnt")  # a second application while the first is pending
    assert again.status_code == 409
    assert error(again).details == {
        "program_id": "bpnt",
        "program_name": {
            "id": "Bantuan Pangan Non Tunai (BPNT/Sembako)",
            "en": "Non-cash food assistance (BPNT/Sembako)",
        },
        "cluster": "pangan",
        "status": "pending",
    }


def test_application_in_a_taken_cluster_names_the_holding_program(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    reply = _apply(portal, "blt_dd")
    assert reply.status_code == 409
    body = error(reply)
    assert body.code == "bansos_cluster_taken"
    assert body.details is not None
    assert body.details["program_id"] == "pkh"
    assert body.details["program_name"] == {
        "id": "Program Keluarga Harapan (PKH)",
        "en": "Family Hope Programme (PKH)",
    }
    assert "PKH" in body.message.id and "PKH" in body.message.en
    assert demo_people[0].nik not in reply.text
    assert [e.program_id for e in _status(portal).enrollments] == ["pkh", "bpnt"]


def test_same_local_ref_returns_the_first_application(portal: Portal) -> None:
    ref = local_ref()
    first = _apply(portal, "bpnt", ref)
    portal.central.clock.advance(60)
    second = _apply(portal, "bpnt", ref)  # taken by itself now, yet the repeat is not refused
    assert second.status_code == 201
    assert first.json() == second.json()
    assert len(_status(portal).enrollments) == 3


def test_closed_and_unknown_programs(portal: Portal) -> None:
    closed = _apply(portal, "pbi_jk")
    assert closed.status_code == 409 and error(closed).code == "bansos_program_closed"
    unknown = _apply(portal, "bansos_fiktif")
    assert unknown.status_code == 404 and error(unknown).code == "bansos_program_unknown"


def test_status_needs_a_signed_in_resident(portal: Portal) -> None:
    reply = portal.get("/v1/bansos", resident=False)
    assert reply.status_code == 401 and error(reply).code == "session_expired"


def test_another_resident_is_judged_on_their_own_enrollments(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    central.clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # when _apply submits
    other = Portal(central, kiosk)
    login = other.sign_in(demo_people[1])  # seeded: BPNT active; first sign-in
    new_pin = "246810" if demo_people[1].pin != "246810" else "135790"
    changed = other.post(
        "/v1/sessions/current/pin", {"current_pin": demo_people[1].pin, "new_pin": new_pin}
    )
    assert changed.status_code == 200, changed.text
    assert login.must_change_pin
    assert _apply(other, "pkh").status_code == 201  # 'tunai' is free for this resident
    refused = _apply(other, "bpnt")
    assert refused.status_code == 409 and error(refused).details["status"] == "active"  # type: ignore[index]
