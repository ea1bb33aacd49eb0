"""Where a message leaves the centre: one small interface, an HTTP gateway and a log.

``Notifier.send`` answers what the outbox should do next: ``sent`` (done), ``retry`` (the
gateway or the network failed; the outbox tries again later with backoff) or ``rejected``
(the gateway refused this message, a 4xx: sending it again would be refused again). It never
raises for a delivery failure, and its ``detail`` never holds the number or the text.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import requests

from common.phone import mask_phone

log = logging.getLogger(__name__)

Outcome = Literal["sent", "retry", "rejected"]
_TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str = ""


class Notifier(Protocol):
    def send(self, phone: str, text: str, *, key: str) -> SendResult:
        """Send ``text`` to ``phone`` (``+628…``). ``key`` is the message's idempotency
        key: the same key is the same message, however often it is handed over."""
        ...


class HttpGatewayNotifier:
    """A generic SMS/WhatsApp gateway: ``POST url`` with JSON ``{"to", "text", "id"}``, a
    bearer token, and the message's key as ``Idempotency-Key`` (most gateways drop a repeat).

    Any 2xx is sent; 429 and 5xx, timeouts and connection errors are worth a retry; any other
    4xx is a refusal of this message."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout_s: float,
        session: requests.Session | None = None,
    ) -> None:
        self._url = url
        self._token = token
        self._timeout_s = timeout_s
        self._session = session or requests.Session()

    def send(self, phone: str, text: str, *, key: str) -> SendResult:
        headers = {"Idempotency-Key": key}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            reply = self._session.post(
                self._url,
                json={"to": phone, "text": text, "id": key},
                headers=headers,
                timeout=self._timeout_s,
            )
        except requests.RequestException as err:
            return SendResult("retry", f"network: {type(err).__name__}")
        if 200 <= reply.status_code < 300:
            return SendResult("sent", f"HTTP {reply.status_code}")
        detail = f"HTTP {reply.status_code}"
        if reply.status_code == _TOO_MANY_REQUESTS or reply.status_code >= 500:
            return SendResult("retry", detail)
        return SendResult("rejected", detail)


class LogNotifier:
    """Sends nothing: records each message with the number masked, in memory and, given a
    ``path``, as a line in that file. For tests, demos and a centre with no gateway yet."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self.sent: list[tuple[str, str, str]] = []  # (masked phone, text, key)

    def send(self, phone: str, text: str, *, key: str) -> SendResult:
        masked = mask_phone(phone)
        with self._lock:
            self.sent.append((masked, text, key))
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as out:
                    out.write(f"{key}\t{masked}\t{text}\n")
        log.info("notification %s to %s recorded (log notifier)", key, masked)
        return SendResult("sent", "logged")
