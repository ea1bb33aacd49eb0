"""Property-based API testing from the committed openapi.json against the real server, on
SQLite and on PostgreSQL.

Requests are signed as an enrolled kiosk, carry an operator API key and a signed-in
resident's session and submission grant (a fresh sign-in whenever a generated request ended
the session), so generated data reaches the handlers of letters, complaints, bansos and batch
items instead of stopping at authentication. Uploads get real JPEG, PNG and PDF bytes.
Generation is positive and negative: valid data must be accepted as the schema promises
(status, content type, body), and data that breaks the schema must be refused.
"""

from __future__ import annotations

import io
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from central.contract import signing
from central.contract.models import LoginResponse
from central.openapi import COMMITTED
from central.seeding.seed import DemoIdentity
from central.settings import CentralSettings
from tests.central.conftest import Template
from tests.support.central_server import CentralServer
from tests.support.postgres import clone_database

load_all_checks()


def _picture(kind: str, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(buffer, format=kind)
    return buffer.getvalue()


_COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
for _media, _kind in (("image/jpeg", "JPEG"), ("image/png", "PNG"), ("application/pdf", "PDF")):
    schemathesis.openapi.media_type(
        _media, st.sampled_from([_picture(_kind, colour) for colour in _COLOURS])
    )

schema = schemathesis.openapi.from_path(COMMITTED)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def _realistic(body: dict[str, Any]) -> None:
    """A submission as a kiosk sends it: submitted just now, for a service and a program
    that exist. Only values that already have the right form are replaced, so a negative
    case (a value of the wrong type or format) stays negative."""
    if _is_moment(body.get("submitted_at")):
        body["submitted_at"] = datetime.now(UTC).isoformat()
    if isinstance(body.get("service_id"), str):
        body["service_id"] = "sktm"
    if isinstance(body.get("program_id"), str):
        body["program_id"] = "bpnt"


def _is_moment(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


@schema.hook
def map_body(_context: schemathesis.HookContext, body: Any) -> Any:
    if isinstance(body, dict):
        _realistic(body)
        for item in body.get("items", []) if isinstance(body.get("items"), list) else []:
            if isinstance(item, dict) and isinstance(item.get("body"), dict):
                _realistic(item["body"])
    return body


RESIDENT_ROUTES = ("/v1/letters", "/v1/complaints", "/v1/bansos/applications", "/v1/bansos")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


class _Credentials(requests.auth.AuthBase):
    """Kiosk signature, operator API key and a live resident session with its grant. A
    resident signs in again when a generated request has signed out or changed the PIN."""

    def __init__(
        self,
        server: CentralServer,
        kiosk_auth: Callable[[requests.PreparedRequest], requests.PreparedRequest],
        people: list[DemoIdentity],
    ) -> None:
        self.server = server
        self.kiosk_auth = kiosk_auth
        self.api_key = server.operator_api_key()
        self.person = next(p for p in people if not p.must_change_pin)
        self._lock = threading.Lock()
        self._login: LoginResponse | None = None
        self.seen: Counter[tuple[str, str, int]] = Counter()

    def login(self) -> LoginResponse:
        with self._lock:
            if self._login is None:
                with requests.Session() as session:
                    session.auth = self.kiosk_auth
                    reply = session.post(
                        f"{self.server.url}/v1/sessions",
                        json={"method": "nik", "nik": self.person.nik, "pin": self.person.pin},
                        timeout=10,
                    )
                assert reply.status_code == 201, reply.text
                self._login = LoginResponse.model_validate_json(reply.content)
            return self._login

    def forget(self, reply: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        """A response hook: counts the answers per route, and after a sign-out or a PIN
        change makes the next request sign in afresh."""
        path = reply.request.path_url.split("?")[0]
        self.seen[(reply.request.method or "", path, reply.status_code)] += 1
        if path.startswith("/v1/sessions/current") and reply.request.method in ("DELETE", "POST"):
            with self._lock:
                self._login = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        login = self.login()
        # Always the real ones, whatever was generated for these headers: the point is to
        # reach the handlers (refusals of bad credentials have their own tests).
        request.headers["X-Api-Key"] = self.api_key
        request.headers[signing.HEADER_SESSION] = login.session_token
        request.headers["X-Resident-Grant"] = login.submission_grant
        signed: requests.PreparedRequest = self.kiosk_auth(request)
        return signed


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, requests.Session]]:
    """A server on a copy of the session's seeded template database of either kind."""
    if request.param == "sqlite":
        template: Template = request.getfixturevalue("sqlite_template")
        target = tmp_path_factory.mktemp("schemathesis") / "central.sqlite3"
        shutil.copyfile(template.url.removeprefix("sqlite:///"), target)
        url = f"sqlite:///{target}"
    else:
        template = request.getfixturevalue("postgres_template")
        url = clone_database(request.getfixturevalue("postgres"), template.url)
    server = CentralServer(CentralSettings(database_url=url)).start()
    kiosk = server.enroll()
    assert callable(kiosk.session.auth)
    credentials = _Credentials(server, kiosk.session.auth, template.people)
    session = requests.Session()
    session.auth = credentials
    session.hooks["response"].append(credentials.forget)
    yield server.url, session
    server.stop()
    for route in RESIDENT_ROUTES:  # the credentials work: these reach their handlers
        answers = {status for (_method, path, status) in credentials.seen if path == route}
        assert not answers or answers - {401}, f"{route} only ever answered 401"


@schema.parametrize()
# too_slow: every case is a real HTTP round trip to uvicorn (and PostgreSQL); the others stay on
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_api_conforms_to_its_schema(
    case: schemathesis.Case[Any], api: tuple[str, requests.Session]
) -> None:
    base_url, session = api
    case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=30)
