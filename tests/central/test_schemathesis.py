"""Property-based API testing from the committed openapi.json against the real server.

Requests are signed as an enrolled kiosk and carry an operator API key, so generated data
reaches the handlers instead of stopping at authentication. Checks: no server error, and
every status code, content type and body is what the schema promises.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from central.openapi import COMMITTED
from central.settings import CentralSettings
from tests.support.central_server import CentralServer, prepare_database

load_all_checks()
schema = schemathesis.openapi.from_path(COMMITTED)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class _SignedAndOperator(requests.auth.AuthBase):
    def __init__(self, kiosk_auth: requests.auth.AuthBase, api_key: str) -> None:
        self.kiosk_auth = kiosk_auth
        self.api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["X-Api-Key"] = self.api_key
        return self.kiosk_auth(request)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, requests.Session]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'central.sqlite3'}"
    prepare_database(url, residents=5)
    server = CentralServer(CentralSettings(database_url=url)).start()
    kiosk = server.enroll()
    session = requests.Session()
    assert kiosk.session.auth is not None
    session.auth = _SignedAndOperator(kiosk.session.auth, server.operator_api_key())
    yield server.url, session
    server.stop()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, api: tuple[str, requests.Session]
) -> None:
    base_url, session = api
    case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=10)
