"""A retry with the same Idempotency-Key gets the first answer and never a duplicate."""

from __future__ import annotations

import requests
from sqlalchemy import func, select

from central.contract.models import ErrorBody
from central.models import HeartbeatRecord, LoginThrottle
from central.seeding.seed import DemoIdentity
from tests.central.test_heartbeats import beat
from tests.support.central_server import CentralServer, EnrolledKiosk


def _post(
    central: CentralServer, kiosk: EnrolledKiosk, path: str, body: object, key: str
) -> requests.Response:
    return kiosk.session.post(
        central.url + path, json=body, headers={"Idempotency-Key": key}, timeout=10
    )


def test_retry_returns_the_first_answer_without_a_duplicate(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    body = beat(kiosk.kiosk_id, 1)
    first = _post(central, kiosk, "/v1/heartbeats", body, "retry-key-0001")
    central.clock.advance(5)
    second = _post(central, kiosk, "/v1/heartbeats", body, "retry-key-0001")
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    with central.context.sessions() as db:
        count = db.scalar(select(func.count()).select_from(HeartbeatRecord))
    assert count == 1


def test_same_key_for_a_different_body_is_refused(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    assert _post(central, kiosk, "/v1/heartbeats", beat(kiosk.kiosk_id, 1), "retry-key-0002").ok
    reply = _post(central, kiosk, "/v1/heartbeats", beat(kiosk.kiosk_id, 2), "retry-key-0002")
    assert reply.status_code == 422
    assert ErrorBody.model_validate_json(reply.content).code == "idempotency_key_reused"


def test_keys_are_per_kiosk(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    other = central.enroll("35.10.02.2001")
    assert _post(central, kiosk, "/v1/heartbeats", beat(kiosk.kiosk_id, 1), "shared-key-0003").ok
    reply = _post(central, other, "/v1/heartbeats", beat(other.kiosk_id, 1), "shared-key-0003")
    assert reply.status_code == 202
    assert "Idempotent-Replayed" not in reply.headers


def test_a_refusal_is_replayed_too_and_counted_once(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    wrong = {"method": "nik", "nik": person.nik, "pin": f"{(int(person.pin) + 1) % 10**6:06d}"}
    first = _post(central, kiosk, "/v1/sessions", wrong, "login-key-0004")
    second = _post(central, kiosk, "/v1/sessions", wrong, "login-key-0004")
    assert first.status_code == second.status_code == 401
    assert first.json() == second.json() and first.json()["details"] == {"attempts_left": 2}
    with central.context.sessions() as db:
        failures = db.scalars(select(LoginThrottle.failures)).all()
    assert failures == [1]


def test_sealed_answers_do_not_hold_the_session_token_in_clear(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    body = {"method": "nik", "nik": person.nik, "pin": person.pin}
    reply = _post(central, kiosk, "/v1/sessions", body, "login-key-0005")
    token = reply.json()["session_token"].encode()
    with central.context.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT sealed_body FROM idempotency").all()
    assert rows and all(token not in bytes(row[0]) for row in rows)
    again = _post(central, kiosk, "/v1/sessions", body, "login-key-0005")
    assert again.json()["session_token"] == token.decode()


def test_malformed_key_is_a_400(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    reply = _post(central, kiosk, "/v1/heartbeats", beat(kiosk.kiosk_id, 1), "short")
    assert reply.status_code == 400
    assert ErrorBody.model_validate_json(reply.content).code == "idempotency_key_invalid"
