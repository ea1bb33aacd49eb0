"""Resident sign-in: card or NIK + PIN, lockout with doubling, first-login PIN change,
idle expiry, and answers that never reveal whether an identifier exists."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from central.contract import signing
from central.contract.models import ErrorBody, LoginResponse
from central.models import LoginThrottle
from central.security import security
from central.seeding.seed import DemoIdentity
from central.services import residents
from kiosk.signing import SignedAuth
from tests.support.central_server import CentralServer, EnrolledKiosk

UNKNOWN_NIK = "3510014101900099"  # structurally valid, not seeded


def _login(central: CentralServer, kiosk: EnrolledKiosk, **body: Any) -> requests.Response:
    method = "card" if "card_uid" in body else "nik"
    return kiosk.session.post(
        f"{central.url}/v1/sessions", json={"method": method, **body}, timeout=10
    )


def _error(reply: requests.Response) -> ErrorBody:
    return ErrorBody.model_validate_json(reply.content)


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def test_card_then_pin_signs_in(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    reply = _login(central, kiosk, card_uid=person.card_uid, pin=person.pin)
    assert reply.status_code == 201
    answer = LoginResponse.model_validate_json(reply.content)
    assert answer.resident.name == person.name
    assert answer.resident.nik_masked == person.nik[:4] + "********" + person.nik[12:]
    assert answer.idle_timeout_s == 600
    assert answer.must_change_pin is False
    assert person.pin not in reply.text


def test_nik_then_pin_signs_in(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    assert _login(central, kiosk, nik=person.nik, pin=person.pin).status_code == 201


def test_three_wrong_pins_lock_for_60_s_then_120_s(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    first = _login(central, kiosk, nik=person.nik, pin=_wrong(person.pin))
    assert first.status_code == 401
    assert _error(first).details == {"attempts_left": 2}
    assert _login(central, kiosk, nik=person.nik, pin=_wrong(person.pin)).status_code == 401
    third = _login(central, kiosk, nik=person.nik, pin=_wrong(person.pin))
    assert third.status_code == 423
    assert _error(third).details == {"retry_after_s": 60}
    assert third.headers["Retry-After"] == "60"
    assert "60" in _error(third).message.id

    central.clock.advance(30)
    locked = _login(central, kiosk, nik=person.nik, pin=person.pin)  # right PIN, still locked
    assert locked.status_code == 423
    assert _error(locked).details == {"retry_after_s": 30}

    central.clock.advance(31)
    for _ in range(3):
        again = _login(central, kiosk, nik=person.nik, pin=_wrong(person.pin))
    assert again.status_code == 423
    assert _error(again).details == {"retry_after_s": 120}

    central.clock.advance(121)
    assert _login(central, kiosk, nik=person.nik, pin=person.pin).status_code == 201


def test_unknown_nik_answers_exactly_like_a_wrong_pin(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    real = demo_people[0]
    for attempt in range(3):
        known = _login(central, kiosk, nik=real.nik, pin=_wrong(real.pin))
        unknown = _login(central, kiosk, nik=UNKNOWN_NIK, pin="123456")
        assert known.status_code == unknown.status_code, attempt
        assert known.json() == unknown.json(), attempt


def test_unknown_card_answers_like_a_wrong_pin(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    reply = _login(central, kiosk, card_uid="04AABBCCDDEEFF", pin="123456")
    assert reply.status_code == 401
    assert _error(reply).code == "invalid_credentials"


def test_first_login_must_change_pin_before_anything_else(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = next(p for p in demo_people if p.must_change_pin)
    answer = LoginResponse.model_validate_json(
        _login(central, kiosk, card_uid=person.card_uid, pin=person.pin).content
    )
    assert answer.must_change_pin is True
    headers = {signing.HEADER_SESSION: answer.session_token}
    check = kiosk.session.get(
        f"{central.url}/v1/sessions/current/check", headers=headers, timeout=10
    )
    assert check.status_code == 403
    assert _error(check).code == "pin_change_required"

    too_simple = kiosk.session.post(
        f"{central.url}/v1/sessions/current/pin",
        json={"current_pin": person.pin, "new_pin": "111111"},
        headers=headers,
        timeout=10,
    )
    assert too_simple.status_code == 422
    changed = kiosk.session.post(
        f"{central.url}/v1/sessions/current/pin",
        json={"current_pin": person.pin, "new_pin": "274913"},
        headers=headers,
        timeout=10,
    )
    assert changed.status_code == 200
    assert changed.json() == {"must_change_pin": False}
    assert (
        kiosk.session.get(
            f"{central.url}/v1/sessions/current/check", headers=headers, timeout=10
        ).status_code
        == 200
    )
    assert _login(central, kiosk, nik=person.nik, pin=person.pin).status_code == 401
    assert _login(central, kiosk, nik=person.nik, pin="274913").status_code == 201


def test_session_expires_after_ten_idle_minutes(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    token = _login(central, kiosk, nik=person.nik, pin=person.pin).json()["session_token"]
    headers = {signing.HEADER_SESSION: token}
    central.clock.advance(590)
    assert kiosk.session.get(f"{central.url}/v1/sessions/current", headers=headers, timeout=10).ok
    central.clock.advance(590)  # activity above restarted the idle timer
    assert kiosk.session.get(f"{central.url}/v1/sessions/current", headers=headers, timeout=10).ok
    central.clock.advance(601)
    expired = kiosk.session.get(f"{central.url}/v1/sessions/current", headers=headers, timeout=10)
    assert expired.status_code == 401
    assert _error(expired).code == "session_expired"


def test_session_is_bound_to_its_kiosk(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    token = _login(central, kiosk, nik=person.nik, pin=person.pin).json()["session_token"]
    other = central.enroll("35.10.02.2001")
    reply = other.session.get(
        f"{central.url}/v1/sessions/current", headers={signing.HEADER_SESSION: token}, timeout=10
    )
    assert reply.status_code == 401


def test_sign_out_ends_the_session(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    token = _login(central, kiosk, nik=person.nik, pin=person.pin).json()["session_token"]
    headers = {signing.HEADER_SESSION: token}
    assert (
        kiosk.session.delete(
            f"{central.url}/v1/sessions/current", headers=headers, timeout=10
        ).status_code
        == 204
    )
    assert (
        kiosk.session.get(
            f"{central.url}/v1/sessions/current", headers=headers, timeout=10
        ).status_code
        == 401
    )


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", ""])
def test_malformed_pin_is_refused_without_echoing_it(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity], pin: str
) -> None:
    reply = _login(central, kiosk, nik=demo_people[0].nik, pin=pin)
    assert reply.status_code == 422
    assert _error(reply).code == "invalid_input"
    if pin:
        assert pin not in reply.text
    assert demo_people[0].nik not in reply.text


class CountingVerifier:
    """Counts the PINs the server actually checks (wraps the real Argon2 verification)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._real = security.verify_secret

    def __call__(self, stored_hash: str | None, secret: str) -> bool:
        with self._lock:
            self.calls += 1
        return self._real(stored_hash, secret)


@pytest.fixture
def pin_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingVerifier]:
    counter = CountingVerifier()
    monkeypatch.setattr(residents, "verify_secret", counter)
    yield counter


def _parallel(
    central: CentralServer, kiosk: EnrolledKiosk, bodies: list[dict[str, Any]]
) -> list[requests.Response]:
    """Every body posted at once, each on its own connection."""
    start = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> requests.Response:
        with requests.Session() as session:
            session.auth = SignedAuth(kiosk.signer)
            start.wait()
            return session.post(f"{central.url}/v1/sessions", json=body, timeout=60)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_thirty_parallel_wrong_pins_get_three_checks_and_lock(
    central: CentralServer,
    kiosk: EnrolledKiosk,
    demo_people: list[DemoIdentity],
    pin_checks: CountingVerifier,
) -> None:
    person = demo_people[0]
    wrong = {"method": "nik", "nik": person.nik, "pin": _wrong(person.pin)}
    replies = _parallel(central, kiosk, [wrong] * 30)
    statuses = sorted(reply.status_code for reply in replies)
    assert all(status in (401, 423) for status in statuses), statuses
    assert pin_checks.calls == 3
    assert statuses.count(401) == 2
    right = _login(central, kiosk, nik=person.nik, pin=person.pin)
    assert right.status_code == 423
    assert pin_checks.calls == 3  # refused while locked without looking at the PIN


def test_parallel_first_attempts_on_a_new_identifier_never_fail(
    central: CentralServer, kiosk: EnrolledKiosk, pin_checks: CountingVerifier
) -> None:
    """Thirty first-ever attempts create the counter together: no 500, still three checks."""
    replies = _parallel(
        central, kiosk, [{"method": "card", "card_uid": "04AABBCCDDEE01", "pin": "123456"}] * 30
    )
    assert sorted({reply.status_code for reply in replies}) == [401, 423]
    assert pin_checks.calls == 3


def test_card_and_nik_of_one_resident_share_three_tries(
    central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]
) -> None:
    person = demo_people[0]
    assert _login(central, kiosk, nik=person.nik, pin=_wrong(person.pin)).status_code == 401
    second = _login(central, kiosk, card_uid=person.card_uid, pin=_wrong(person.pin))
    assert _error(second).details == {"attempts_left": 1}
    assert _login(central, kiosk, nik=person.nik, pin=_wrong(person.pin)).status_code == 423
    assert _login(central, kiosk, card_uid=person.card_uid, pin=person.pin).status_code == 423


def test_malformed_nik_is_refused_and_leaves_no_counter(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    reply = _login(central, kiosk, nik="9910014101900099", pin="123456")  # no province 99
    assert reply.status_code == 422
    assert _error(reply).code == "nik_invalid"
    with central.context.sessions() as db:
        assert db.query(LoginThrottle).count() == 0
