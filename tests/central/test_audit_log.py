"""Attacks leave a trace in the log (``central.security.audit``): failed resident and operator
sign-ins and refused kiosk signatures, with a keyed hash, the kiosk id and the reason, and
never the NIK, card UID, PIN or password."""

from __future__ import annotations

import json
import logging

import pytest
import requests

from central.contract import signing
from central.seeding.seed import DemoIdentity
from tests.central.test_heartbeats import beat
from tests.support.central_server import CentralServer, EnrolledKiosk


def _audit(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "central.security.audit"]


def test_wrong_pins_are_logged_without_the_identifier(
    central: CentralServer,
    kiosk: EnrolledKiosk,
    demo_people: list[DemoIdentity],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="central.security.audit")
    person = demo_people[0]
    wrong = f"{(int(person.pin) + 1) % 1_000_000:06d}"
    for _ in range(4):
        kiosk.session.post(
            f"{central.url}/v1/sessions",
            json={"method": "card", "card_uid": person.card_uid, "pin": wrong},
            timeout=10,
        )
    lines = _audit(caplog)
    assert len(lines) == 4
    assert all(f"kiosk={kiosk.kiosk_id}" in line for line in lines)
    assert [line.split("reason=")[1].split()[0] for line in lines] == ["wrong_pin"] * 3 + ["locked"]
    subjects = {line.split("subject=")[1].split()[0] for line in lines}
    assert len(subjects) == 1  # the same resident each time: the guessing is visible
    text = "\n".join(lines)
    for secret in (person.nik, person.card_uid, person.pin, wrong, person.name):
        assert secret not in text


def test_failed_operator_logins_are_logged_with_their_source(
    central: CentralServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="central.security.audit")
    reply = requests.post(
        f"{central.url}/v1/operator/login",
        json={"username": "siti", "password": "hunter2-secret"},
        timeout=10,
    )
    assert reply.status_code == 401
    [line] = _audit(caplog)
    assert "operator sign-in failed: reason=wrong_password" in line
    assert "source=127.0.0.1" in line
    assert "siti" not in line and "hunter2-secret" not in line


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/catalog"), ("POST", "/v1/heartbeats")])
def test_a_forged_signature_is_logged(
    central: CentralServer,
    kiosk: EnrolledKiosk,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="central.security.audit")
    body = json.dumps(beat(kiosk.kiosk_id, 1)).encode() if method == "POST" else b""
    headers = kiosk.signer.headers(method, path, body)
    headers[signing.HEADER_SIGNATURE] = "A" * 86 + "=="  # well-formed, not the kiosk's
    headers["Content-Type"] = "application/json"
    reply = requests.request(method, central.url + path, data=body, headers=headers, timeout=10)
    assert reply.status_code == 401
    assert reply.json()["code"] == "signature_invalid"
    assert _audit(caplog) == [
        f"kiosk request refused: reason=signature_invalid kiosk={kiosk.kiosk_id} path={path}"
    ]
