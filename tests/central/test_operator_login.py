"""Operator sign-in is throttled like resident sign-in (per account and per source address,
counted before the password is checked), and routes anyone may call leave nothing behind
when they refuse."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from central.models import IdempotencyRecord, LoginThrottle
from central.security import operators, security
from central.settings import CentralSettings
from tests.support.central_server import CentralServer

PASSWORD = "correct horse battery"  # what CentralServer.operator_api_key sets


def _login(central: CentralServer, username: str, password: str, **headers: str) -> Any:
    return requests.post(
        f"{central.url}/v1/operator/login",
        json={"username": username, "password": password},
        headers=headers,
        timeout=30,
    )


class CountingVerifier:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._real = security.verify_secret

    def __call__(self, stored_hash: str | None, secret: str) -> bool:
        with self._lock:
            self.calls += 1
        return self._real(stored_hash, secret)


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingVerifier]:
    counter = CountingVerifier()
    monkeypatch.setattr(operators, "verify_secret", counter)
    yield counter


def test_wrong_passwords_lock_the_account_even_for_the_right_one(
    central: CentralServer, settings: CentralSettings
) -> None:
    central.operator_api_key("siti")
    limit = settings.operator_lockout_failures
    statuses = [_login(central, "siti", f"wrong-{n}").status_code for n in range(limit)]
    assert statuses == [401] * (limit - 1) + [423]
    locked = _login(central, "siti", PASSWORD)
    assert locked.status_code == 423
    assert locked.json()["code"] == "operator_locked"
    assert locked.headers["Retry-After"] == "60"
    central.clock.advance(61)
    assert _login(central, "siti", PASSWORD).status_code == 200


def test_unknown_usernames_lock_exactly_like_real_ones(
    central: CentralServer, settings: CentralSettings
) -> None:
    central.operator_api_key("siti")
    for attempt in range(settings.operator_lockout_failures + 1):
        known = _login(central, "siti", "wrong-password")
        unknown = _login(central, "nobody-here", "wrong-password")
        assert known.status_code == unknown.status_code, attempt
        assert known.json() == unknown.json(), attempt


def test_parallel_wrong_passwords_get_only_the_allowed_checks(
    central: CentralServer, settings: CentralSettings, password_checks: CountingVerifier
) -> None:
    central.operator_api_key("siti")
    start = threading.Barrier(30)

    def guess(n: int) -> int:
        start.wait()
        return int(_login(central, "siti", f"guess-{n}").status_code)

    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(guess, range(30)))
    assert set(statuses) == {401, 423}
    assert password_checks.calls == settings.operator_lockout_failures


def test_one_source_guessing_many_accounts_is_locked(
    central: CentralServer, settings: CentralSettings
) -> None:
    central.operator_api_key("siti")
    limit = settings.operator_source_failures
    statuses = [_login(central, f"user-{n}", "wrong-password").status_code for n in range(limit)]
    assert statuses[-1] == 423 and statuses[:-1] == [401] * (limit - 1)
    assert _login(central, "siti", PASSWORD).status_code == 423  # same address: locked too


def _idempotency_rows(central: CentralServer) -> int:
    with central.context.sessions() as db:
        return db.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0


def test_refused_operator_logins_leave_no_idempotency_record(central: CentralServer) -> None:
    for n in range(3):
        reply = _login(
            central, "nobody", "wrong-password", **{"Idempotency-Key": f"op-key-{n:04d}"}
        )
        assert reply.status_code == 401
    assert _idempotency_rows(central) == 0


def test_refused_enrolments_leave_nothing(central: CentralServer) -> None:
    body = {
        "token": "not-a-real-token",
        "public_key": "A" * 43 + "=",
        "hardware": {
            "hostname": "h",
            "machine": "x86_64",
            "os": "Linux",
            "cpu_count": 1,
            "ram_mb": 1,
            "disk_mb": 1,
            "app_version": "t",
        },
    }
    for n in range(3):
        reply = requests.post(
            f"{central.url}/v1/enrollments",
            json=body,
            headers={"Idempotency-Key": f"enrol-key-{n:04d}"},
            timeout=10,
        )
        assert reply.status_code in (401, 403, 404, 422), reply.text
        assert reply.status_code != 422 or reply.json()["code"] != "invalid_input", reply.text
    assert _idempotency_rows(central) == 0
    with central.context.sessions() as db:
        assert db.scalar(select(func.count()).select_from(LoginThrottle)) == 0
