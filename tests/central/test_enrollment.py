"""Enrollment with one-time tokens: the only unsigned kiosk call."""

from __future__ import annotations

import requests

from central.contract.models import EnrollmentRequest, ErrorBody
from kiosk.identity import KioskKey
from tests.support.central_server import HARDWARE, CentralServer


def _enroll(central: CentralServer, token: str, key: KioskKey | None = None) -> requests.Response:
    body = EnrollmentRequest(
        token=token, public_key=(key or KioskKey.generate()).public_key_b64(), hardware=HARDWARE
    )
    return requests.post(
        f"{central.url}/v1/enrollments",
        data=body.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )


def _code(reply: requests.Response) -> str:
    return ErrorBody.model_validate_json(reply.content).code


def test_token_enrolls_one_kiosk_bound_to_its_office(central: CentralServer) -> None:
    token = central.enrollment_token("35.10.02.2001")
    reply = _enroll(central, token)
    assert reply.status_code == 201
    body = reply.json()
    assert body["kiosk_id"].startswith("KSK-")
    assert body["office"]["id"] == "35.10.02.2001"
    assert body["office"]["kind"] == "desa"


def test_used_token_is_refused(central: CentralServer) -> None:
    token = central.enrollment_token()
    assert _enroll(central, token).status_code == 201
    second = _enroll(central, token)
    assert second.status_code == 409
    assert _code(second) == "token_used"


def test_expired_token_is_refused(central: CentralServer) -> None:
    token = central.enrollment_token(ttl_s=60)
    central.clock.advance(61)
    reply = _enroll(central, token)
    assert reply.status_code == 401
    assert _code(reply) == "token_expired"


def test_unknown_token_is_refused(central: CentralServer) -> None:
    reply = _enroll(central, "not-a-real-token-at-all")
    assert reply.status_code == 401
    assert _code(reply) == "token_unknown"


def test_same_key_cannot_enrol_twice(central: CentralServer) -> None:
    key = KioskKey.generate()
    assert _enroll(central, central.enrollment_token(), key).status_code == 201
    reply = _enroll(central, central.enrollment_token(), key)
    assert reply.status_code == 409
    assert _code(reply) == "public_key_enrolled"


def test_garbage_public_key_is_a_clear_422(central: CentralServer) -> None:
    body = {
        "token": central.enrollment_token(),
        "public_key": "A" * 44,  # valid base64, but 33 bytes: not an Ed25519 key
        "hardware": HARDWARE.model_dump(),
    }
    reply = requests.post(f"{central.url}/v1/enrollments", json=body, timeout=10)
    assert reply.status_code == 422
    assert _code(reply) == "public_key_invalid"
