"""One error shape everywhere, and the committed openapi.json matches the served one."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from central.contract.models import ErrorBody
from central.openapi import COMMITTED
from central.security.idempotency import KEY_PATTERN
from tests.support.central_server import CentralServer, EnrolledKiosk


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


# ---------------------------------------------------------------- the schema tells the truth


def _served_schema(central: CentralServer) -> dict[str, Any]:
    schema: dict[str, Any] = requests.get(f"{central.url}/openapi.json", timeout=10).json()
    return schema


def test_a_405_names_the_methods_allowed(central: CentralServer) -> None:
    reply = requests.put(f"{central.url}/v1/sessions", timeout=10)
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "POST"


def test_the_schema_states_the_idempotency_key_rules(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    posts = [
        operation
        for item in _served_schema(central)["paths"].values()
        for method, operation in item.items()
        if method == "post"
    ]
    keys = [
        parameter["schema"]
        for operation in posts
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "Idempotency-Key"
    ]
    assert len(keys) == len(posts) > 10
    for schema in keys:
        assert (schema["pattern"], schema["minLength"], schema["maxLength"]) == (
            KEY_PATTERN,
            8,
            128,
        )
    refused = kiosk.session.get(
        f"{central.url}/v1/catalog", headers={"Idempotency-Key": "short"}, timeout=10
    )
    assert refused.status_code == 200  # GETs take no key
    short = kiosk.session.post(
        f"{central.url}/v1/sessions",
        json={"method": "card", "card_uid": "04AABBCCDDEEFF", "pin": "123456"},
        headers={"Idempotency-Key": "short"},
        timeout=10,
    )
    assert short.status_code == 400
    assert not re.fullmatch(KEY_PATTERN, "short")


def test_the_schema_requires_the_identifier_a_sign_in_names(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    login = _served_schema(central)["components"]["schemas"]["LoginRequest"]
    required = {
        branch["properties"]["method"]["const"]: branch["required"] for branch in login["oneOf"]
    }
    assert required == {"card": ["card_uid"], "nik": ["nik"]}
    for body in ({"method": "nik", "pin": "123456"}, {"method": "card", "pin": "123456"}):
        reply = kiosk.session.post(f"{central.url}/v1/sessions", json=body, timeout=10)
        assert reply.status_code == 422
        assert ErrorBody.model_validate_json(reply.content).code == "invalid_input"


@pytest.mark.parametrize("day", ["0", "1700000000", "2026-13-01", "23-11-2026"])
def test_the_operator_queue_takes_only_an_iso_day(central: CentralServer, day: str) -> None:
    reply = requests.get(
        f"{central.url}/v1/operator/queue",
        params={"office_id": "35.10.01.2001", "day": day},
        headers={"X-Api-Key": central.operator_api_key()},
        timeout=10,
    )
    assert reply.status_code == 422
    assert ErrorBody.model_validate_json(reply.content).code == "invalid_input"
    parameter = next(
        p
        for p in _served_schema(central)["paths"]["/v1/operator/queue"]["get"]["parameters"]
        if p["name"] == "day"
    )
    assert parameter["schema"]["format"] == "date"
