"""One error shape everywhere, and the committed openapi.json matches the served one."""

from __future__ import annotations

import json

import pytest
import requests

from central.contract.models import ErrorBody
from central.openapi import COMMITTED
from tests.support.central_server import CentralServer


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/v1/nothing-here", None, 404, "not_found"),
        ("PUT", "/v1/catalog", None, 405, "method_not_allowed"),
        ("POST", "/v1/enrollments", b"{not json", 422, "invalid_input"),
        ("POST", "/v1/enrollments", b"[]", 422, "invalid_input"),
        ("POST", "/v1/operator/login", b'{"username": "x"}', 422, "invalid_input"),
    ],
)
def test_errors_share_one_shape(
    central: CentralServer, method: str, path: str, body: bytes | None, status: int, code: str
) -> None:
    reply = requests.request(
        method,
        central.url + path,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == status
    error = ErrorBody.model_validate_json(reply.content)
    assert error.code == code
    assert error.message.id and error.message.en and error.message.id != error.message.en


def test_served_openapi_matches_the_committed_file(central: CentralServer) -> None:
    served = requests.get(f"{central.url}/openapi.json", timeout=10).json()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, "API changed: run `make openapi` and commit openapi.json"
