"""Signs every request the kiosk sends to the centre (the app, the health agent and
provisioning all use this one signer).

The canonical text comes from :mod:`central.contract.signing`, so signer and verifier cannot
drift apart. As a ``requests`` auth hook it signs the request exactly as it goes on the wire:
the final URL with its query and the encoded body bytes.

``requests`` is not imported here (the auth hook is a plain callable, which ``requests``
accepts): the health agent signs with ``RequestSigner`` over ``http.client`` and must not pay
for importing ``requests`` once a minute (docs/DESIGN.md, the health agent).
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from central.contract import signing

if TYPE_CHECKING:
    import requests


class Signs(Protocol):
    """What signs: the kiosk's ``KioskKey``, or the bare Ed25519 key the health agent loads
    without importing ``kiosk.identity``'s serialisation machinery."""

    def sign(self, data: bytes, /) -> bytes: ...


class RequestSigner:
    def __init__(
        self, kiosk_id: str, key: Signs, clock: Callable[[], float] = time.time
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


class SignedAuth:
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
