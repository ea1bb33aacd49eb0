"""Signs every request the kiosk sends to the centre (the app, the health agent and
provisioning all use this one signer).

The canonical text comes from :mod:`central.contract.signing`, so signer and verifier cannot
drift apart. As a ``requests`` auth hook it signs the request exactly as it goes on the wire:
the final URL with its query and the encoded body bytes.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from central.contract import signing
from kiosk.identity import KioskKey


class RequestSigner:
    def __init__(
        self, kiosk_id: str, key: KioskKey, clock: Callable[[], float] = time.time
    ) -> None:
        self.kiosk_id = kiosk_id
        self._key = key
        self._clock = clock

    def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        """The four signing headers for one request; ``path`` includes any query string."""
        timestamp = int(self._clock())
        nonce = secrets.token_urlsafe(18)
        message = signing.canonical_message(
            kiosk_id=self.kiosk_id,
            timestamp=timestamp,
            nonce=nonce,
            method=method,
            path=path,
            body=body,
        )
        return {
            signing.HEADER_KIOSK: self.kiosk_id,
            signing.HEADER_TIMESTAMP: str(timestamp),
            signing.HEADER_NONCE: nonce,
            signing.HEADER_SIGNATURE: base64.b64encode(self._key.sign(message)).decode("ascii"),
        }


class SignedAuth(requests.auth.AuthBase):
    """``requests`` auth hook: ``session.auth = SignedAuth(signer)``. Each retry re-signs."""

    def __init__(self, signer: RequestSigner) -> None:
        self.signer = signer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("signed requests need an in-memory body, not a stream")
        request.headers.update(self.signer.headers(request.method or "GET", path, body))
        return request
