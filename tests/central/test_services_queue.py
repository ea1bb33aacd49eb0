"""Queue tickets: numbered per office, counter and WIB day, idempotent on local_ref, with the
number of unserved tickets ahead; operators mark tickets served."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from central.contract.services import QueueTicket
from central.models import QueueTicket as TicketRow
from kiosk.receipts import queue_code
from tests.central.services_portal import Portal, error, local_ref
from tests.support.central_server import CentralServer, EnrolledKiosk

OFFICE = "35.10.01.2001"


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk) -> Portal:
    central.clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 09:00 WIB
    return Portal(central, kiosk)


def _take(portal: Portal, counter: str = "A", ref: str | None = None) -> QueueTicket:
    body = {"local_ref": ref or local_ref(), "counter": counter}
    reply = portal.post("/v1/queue/tickets", body, resident=False)
    assert reply.status_code == 201, reply.text
    return QueueTicket.model_validate_json(reply.content)


def _serve(portal: Portal, number: str, **extra: str) -> QueueTicket:
    reply = portal.operator_post(
        "/v1/operator/queue/served", {"office_id": OFFICE, "number": number, **extra}
    )
    assert reply.status_code == 200, reply.text
    return QueueTicket.model_validate_json(reply.content)


def test_numbers_run_per_counter_with_the_count_ahead(portal: Portal) -> None:
    first, second, third = _take(portal), _take(portal), _take(portal)
    assert [t.number for t in (first, second, third)] == ["A-001", "A-002", "A-003"]
    assert [t.waiting_ahead for t in (first, second, third)] == [0, 1, 2]
    bansos_desk = _take(portal, "B")
    assert (bansos_desk.number, bansos_desk.waiting_ahead) == ("B-001", 0)
    assert first.office_id == OFFICE
    assert first.day.isoformat() == "2026-11-23"


def test_served_tickets_no_longer_wait_ahead(portal: Portal) -> None:
    refs = [local_ref() for _ in range(3)]
    for ref in refs:
        _take(portal, ref=ref)
    served = _serve(portal, "A-001")
    assert served.number == "A-001" and served.waiting_ahead == 0
    assert _take(portal).waiting_ahead == 2
    _serve(portal, "A-002")
    again = _take(portal, ref=refs[2])  # the kiosk repeats A-003: same ticket, current count
    assert (again.number, again.waiting_ahead) == ("A-003", 0)
    board = portal.operator_get("/v1/operator/queue", office_id=OFFICE).json()
    assert [t["number"] for t in board] == ["A-003", "A-004"]
    assert _serve(portal, "A-002").number == "A-002"  # serving twice changes nothing


def test_unknown_ticket_is_404(portal: Portal) -> None:
    _take(portal)
    reply = portal.operator_post(
        "/v1/operator/queue/served", {"office_id": OFFICE, "number": "A-002"}
    )
    assert reply.status_code == 404 and error(reply).code == "ticket_unknown"
    malformed = portal.operator_post(
        "/v1/operator/queue/served", {"office_id": OFFICE, "number": "Z-1"}
    )
    assert malformed.status_code == 422


def test_same_local_ref_is_the_same_ticket(portal: Portal) -> None:
    ref = local_ref()
    first = _take(portal, ref=ref)
    second = _take(portal, ref=ref)
    assert first == second
    with portal.central.context.sessions() as db:
        assert db.scalar(select(func.count()).select_from(TicketRow)) == 1


def test_numbering_restarts_at_midnight_wib_not_utc(portal: Portal) -> None:
    portal.central.clock.set(datetime(2026, 11, 23, 16, 59, tzinfo=UTC))  # 23:59 WIB
    late = [_take(portal), _take(portal)]
    assert [t.number for t in late] == ["A-001", "A-002"]
    assert late[0].day.isoformat() == "2026-11-23"

    portal.central.clock.advance(120)  # 00:01 WIB on the 24th, still the 23rd in UTC
    early = _take(portal)
    assert (early.number, early.waiting_ahead) == ("A-001", 0)
    assert early.day.isoformat() == "2026-11-24"

    portal.central.clock.set(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))  # 07:30 WIB, UTC's new day
    morning = _take(portal)
    assert (morning.number, morning.waiting_ahead, morning.day.isoformat()) == (
        "A-002",
        1,
        "2026-11-24",
    )
    yesterday = portal.operator_get("/v1/operator/queue", office_id=OFFICE, day="2026-11-23")
    assert [t["number"] for t in yesterday.json()] == ["A-001", "A-002"]
    _serve(portal, "A-002", day="2026-11-23")
    assert [
        t["number"]
        for t in portal.operator_get(
            "/v1/operator/queue", office_id=OFFICE, day="2026-11-23"
        ).json()
    ] == ["A-001"]


def test_each_office_has_its_own_numbers(portal: Portal) -> None:
    _take(portal)
    elsewhere = Portal(portal.central, portal.central.enroll("35.10.02.2001"))
    ticket = _take(elsewhere)
    assert (ticket.number, ticket.office_id) == ("A-001", "35.10.02.2001")
    second_kiosk_same_office = Portal(portal.central, portal.central.enroll(OFFICE))
    assert _take(second_kiosk_same_office).number == "A-002"


def test_the_code_a_queue_ticket_prints_can_be_tracked(portal: Portal) -> None:
    ticket = _take(portal)
    code = queue_code(ticket)  # exactly what the receipt prints and puts in its QR
    reply = portal.get(f"/v1/track/{code}", resident=False)
    assert reply.status_code == 200, reply.text
    item = reply.json()
    assert (item["tracking_code"], item["kind"]) == (code, "queue")
    assert item["title"]["en"] == f"Queue {ticket.number}"
    assert item["status_label"]["en"] == "Waiting to be called"
    _serve(portal, ticket.number)
    called = portal.get(f"/v1/track/{code}", resident=False).json()
    assert called["status_label"]["en"] == "Called to the counter"
    elsewhere = Portal(portal.central, portal.central.enroll("35.10.02.2001"))
    assert elsewhere.get(f"/v1/track/{code}", resident=False).status_code == 404  # per office
    assert portal.get("/v1/track/311399-A-001", resident=False).status_code == 404  # no date
