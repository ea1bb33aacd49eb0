"""A signed-in resident at an enrolled kiosk, and an operator, talking to a real centre: the
plumbing the citizen-service tests share."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from typing import Any

import requests
from PIL import Image

from central.contract import signing
from central.contract.models import ErrorBody, LoginResponse
from central.seeding.seed import DemoIdentity
from tests.support.central_server import CentralServer, EnrolledKiosk


def image_bytes(kind: str, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real, decodable JPEG/PNG/PDF (Pillow writes all three)."""
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(buffer, format=kind)
    return buffer.getvalue()


def local_ref() -> str:
    return "ref-" + secrets.token_hex(8)


def error(reply: requests.Response) -> ErrorBody:
    return ErrorBody.model_validate_json(reply.content)


@dataclass
class Portal:
    central: CentralServer
    kiosk: EnrolledKiosk
    login: LoginResponse | None = None
    _operator_key: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return self.central.url

    def sign_in(self, person: DemoIdentity) -> LoginResponse:
        reply = self.kiosk.session.post(
            f"{self.url}/v1/sessions",
            json={"method": "nik", "nik": person.nik, "pin": person.pin},
            timeout=10,
        )
        assert reply.status_code == 201, reply.text
        self.login = LoginResponse.model_validate_json(reply.content)
        return self.login

    def _headers(self, key: str | None, resident: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        if key is not None:
            headers[signing.HEADER_IDEMPOTENCY] = key
        if resident and self.login is not None:
            headers[signing.HEADER_SESSION] = self.login.session_token
        return headers

    def post(
        self, path: str, body: Any, *, key: str | None = None, resident: bool = True
    ) -> requests.Response:
        return self.kiosk.session.post(
            self.url + path, json=body, headers=self._headers(key, resident), timeout=10
        )

    def get(self, path: str, *, resident: bool = True) -> requests.Response:
        return self.kiosk.session.get(
            self.url + path, headers=self._headers(None, resident), timeout=10
        )

    def upload(self, content: bytes, content_type: str) -> requests.Response:
        return self.kiosk.session.post(
            f"{self.url}/v1/documents",
            data=content,
            headers={"Content-Type": content_type},
            timeout=10,
        )

    def upload_ok(self, content: bytes, content_type: str = "image/jpeg") -> str:
        reply = self.upload(content, content_type)
        assert reply.status_code == 201, reply.text
        document_id: str = reply.json()["document_id"]
        return document_id

    # ------------------------------------------------------------ operator side

    @property
    def operator_headers(self) -> dict[str, str]:
        if self._operator_key is None:
            self._operator_key = self.central.operator_api_key()
        return {"X-Api-Key": self._operator_key}

    def operator_get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(
            self.url + path, params=params, headers=self.operator_headers, timeout=10
        )

    def operator_put(self, path: str, body: Any) -> requests.Response:
        return requests.put(self.url + path, json=body, headers=self.operator_headers, timeout=10)

    def operator_delete(self, path: str) -> requests.Response:
        return requests.delete(self.url + path, headers=self.operator_headers, timeout=10)

    def operator_post(self, path: str, body: Any, key: str | None = None) -> requests.Response:
        headers = dict(self.operator_headers)
        if key is not None:
            headers[signing.HEADER_IDEMPOTENCY] = key
        return requests.post(self.url + path, json=body, headers=headers, timeout=10)
