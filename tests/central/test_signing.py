"""Every way a kiosk request can be forged, replayed or stale is refused."""

from __future__ import annotations

import base64

import requests

from central.contract import signing
from central.contract.models import ErrorBody
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner
from tests.support.central_server import CentralServer, EnrolledKiosk


def _code(reply: requests.Response) -> str:
    return ErrorBody.model_validate_json(reply.content).code


def _send(
    central: CentralServer,
    headers: dict[str, str],
    path: str = "/v1/catalog",
    method: str = "GET",
    body: bytes = b"",
) -> requests.Response:
    return requests.request(
        method,
        central.url + path,
        data=body or None,
        headers={**headers, "Content-Type": "application/json"},
        timeout=10,
    )


def test_signed_request_is_accepted(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    reply = kiosk.session.get(f"{central.url}/v1/catalog", timeout=10)
    assert reply.status_code == 200
    catalog = reply.json()
    assert catalog["office"]["id"] == "35.10.01.2001"
    assert {s["id"] for s in catalog["services"]} >= {"sktm", "domisili", "antrian", "bansos"}


def test_unsigned_request_is_refused(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    reply = requests.get(f"{central.url}/v1/catalog", timeout=10)
    assert reply.status_code == 401
    assert _code(reply) == "signature_missing"


def test_signature_by_another_key_is_refused(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    impostor = RequestSigner(kiosk.kiosk_id, KioskKey.generate(), clock=kiosk.signer._clock)
    reply = _send(central, impostor.headers("GET", "/v1/catalog", b""))
    assert reply.status_code == 401
    assert _code(reply) == "signature_invalid"


def test_tampered_body_is_refused(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    signed_body = b'{"method":"nik","nik":"3510011111110001","pin":"123456"}'
    headers = kiosk.signer.headers("POST", "/v1/sessions", signed_body)
    reply = _send(central, headers, "/v1/sessions", "POST", signed_body.replace(b"1234", b"9999"))
    assert reply.status_code == 401
    assert _code(reply) == "signature_invalid"


def test_changed_path_or_query_is_refused(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    headers = kiosk.signer.headers("GET", "/v1/catalog", b"")
    reply = _send(central, headers, "/v1/catalog?office=35.10.02.2001")
    assert reply.status_code == 401
    assert _code(reply) == "signature_invalid"


def test_replayed_nonce_is_refused(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    headers = kiosk.signer.headers("GET", "/v1/catalog", b"")
    assert _send(central, headers).status_code == 200
    again = _send(central, headers)
    assert again.status_code == 401
    assert _code(again) == "replayed"


def test_stale_clock_is_refused_with_a_clock_message(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    headers = kiosk.signer.headers("GET", "/v1/catalog", b"")
    central.clock.advance(301)
    reply = _send(central, headers)
    assert reply.status_code == 401
    error = ErrorBody.model_validate_json(reply.content)
    assert error.code == "clock_skew"
    assert "clock" in error.message.en and "Jam kios" in error.message.id
    assert error.details and "server_time" in error.details


def test_clock_within_five_minutes_is_accepted(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    headers = kiosk.signer.headers("GET", "/v1/catalog", b"")
    central.clock.advance(290)
    assert _send(central, headers).status_code == 200


def test_unknown_kiosk_is_refused(central: CentralServer) -> None:
    stranger = RequestSigner("KSK-NOTEXIST", KioskKey.generate())
    reply = _send(central, stranger.headers("GET", "/v1/catalog", b""))
    assert reply.status_code == 401
    assert _code(reply) == "kiosk_unknown"


def test_revoked_kiosk_is_refused(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    api_key = central.operator_api_key()
    revoke = requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk.kiosk_id}/revoke",
        headers={"X-Api-Key": api_key},
        timeout=10,
    )
    assert revoke.status_code == 200
    reply = kiosk.session.get(f"{central.url}/v1/catalog", timeout=10)
    assert reply.status_code == 403
    assert _code(reply) == "kiosk_revoked"


def test_malformed_signature_headers_are_refused(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    headers = kiosk.signer.headers("GET", "/v1/catalog", b"")
    for broken in (
        {signing.HEADER_SIGNATURE: "not base64!"},
        {signing.HEADER_SIGNATURE: base64.b64encode(b"short").decode()},
        {signing.HEADER_TIMESTAMP: "yesterday"},
        {signing.HEADER_NONCE: "x"},
    ):
        reply = _send(central, {**headers, **broken})
        assert reply.status_code == 401, broken
        assert _code(reply) == "signature_malformed"
