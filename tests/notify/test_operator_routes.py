"""Opt-in at the office counter and the outbox as an operator sees it: the number is taken,
corrected or withdrawn by tracking code, and only ever shown masked."""

from __future__ import annotations

from sqlalchemy import select

from central.models import Notification, NotificationOptIn
from tests.central.services_portal import Portal
from tests.notify.test_outbox import _letter, _move

PHONE_SHOWN = "0812****7890"


def test_office_takes_a_number_and_the_ready_letter_is_queued(portal: Portal) -> None:
    letter = _letter(portal, phone=None)
    code = letter.tracking_code
    taken = portal.operator_put(f"/v1/operator/optins/{code.lower()}", {"phone": "0812 3456 7890"})
    assert taken.status_code == 200, taken.text
    assert taken.json() == {"tracking_code": code, "phone_masked": PHONE_SHOWN}
    _move(portal, code, 1, 2, 3)
    listed = portal.operator_get("/v1/operator/notifications", status="pending")
    assert listed.status_code == 200
    (shown,) = listed.json()
    assert (shown["tracking_code"], shown["phone_masked"]) == (code, PHONE_SHOWN)
    assert "3456" not in listed.text
    resident_side = portal.get("/v1/operator/notifications")
    assert resident_side.status_code == 401  # a kiosk is no operator


def test_a_withdrawn_number_is_erased_with_what_was_not_sent(portal: Portal) -> None:
    letter = _letter(portal)
    _move(portal, letter.tracking_code, 1, 2, 3)
    gone = portal.operator_delete(f"/v1/operator/optins/{letter.tracking_code}")
    assert gone.status_code == 204
    with portal.central.context.sessions() as db:
        assert db.scalars(select(NotificationOptIn)).all() == []
        assert db.scalars(select(Notification)).all() == []


def test_unknown_code_or_bad_number_is_refused(portal: Portal) -> None:
    unknown = portal.operator_put("/v1/operator/optins/ZZZ-222222", {"phone": "081234567890"})
    assert unknown.status_code == 404
    letter = _letter(portal, phone=None)
    bad = portal.operator_put(f"/v1/operator/optins/{letter.tracking_code}", {"phone": "12345"})
    assert bad.status_code == 422 and "12345" not in bad.text
