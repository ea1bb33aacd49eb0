"""IPP over HTTP: one POST per operation to the printer's (or CUPS queue's) URI.

``ipp://host:631/printers/a4`` is ``http://host:631/printers/a4`` with ``Content-Type:
application/ipp`` (RFC 8010 §4); ``ipps://`` is the same over TLS. The standard library's
``http.client`` is enough: one short request at a time, a timeout on every socket operation
and an answer read only up to ``MAX_ANSWER_BYTES``.
"""

from __future__ import annotations

import http.client
import ssl
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from drivers.documents.ipp import IppDecodeError, IppRequest, IppResponse, decode, encode

DEFAULT_PORT = 631
MAX_ANSWER_BYTES = 1024 * 1024  # printer attributes with icons and media lists stay far below
IPP_CONTENT_TYPE = "application/ipp"


class IppUnreachable(OSError):
    """No IPP answer: connection refused, timed out, not HTTP 200, or not an IPP message."""


class IppEndpoint(Protocol):
    """Where IPP requests go: HTTP for real printers and CUPS, in-process for the simulator."""

    def send(self, uri: str, message: IppRequest, document: bytes | None = None) -> IppResponse: ...


@dataclass(frozen=True)
class _Target:
    tls: bool
    host: str
    port: int
    path: str


def parse_uri(uri: str) -> _Target:
    """``ipp://`` / ``ipps://`` (or their ``http(s)://`` spelling) → where to connect."""
    parts = urlsplit(uri)
    if parts.scheme not in {"ipp", "ipps", "http", "https"} or not parts.hostname:
        raise ValueError(f"not an IPP URI: {uri!r} (expected ipp://host[:port]/path)")
    tls = parts.scheme in {"ipps", "https"}
    return _Target(tls, parts.hostname, parts.port or DEFAULT_PORT, parts.path or "/")


class HttpIpp:
    """Sends each request on a fresh connection: a kiosk prints a few letters a day, and a
    fresh connection never inherits a half-read answer from a timed-out one."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def send(self, uri: str, message: IppRequest, document: bytes | None = None) -> IppResponse:
        target = parse_uri(uri)
        body = encode(message) + (document or b"")
        connection: http.client.HTTPConnection
        if target.tls:
            connection = http.client.HTTPSConnection(
                target.host, target.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(target.host, target.port, timeout=self.timeout)
        try:
            connection.request(
                "POST", target.path, body=body, headers={"Content-Type": IPP_CONTENT_TYPE}
            )
            reply = connection.getresponse()
            answer = reply.read(MAX_ANSWER_BYTES + 1)
        except (OSError, http.client.HTTPException) as err:
            raise IppUnreachable(f"{target.host}:{target.port}: {err}") from err
        finally:
            connection.close()
        if reply.status != http.client.OK:
            raise IppUnreachable(f"{target.host}:{target.port}: HTTP {reply.status}")
        if len(answer) > MAX_ANSWER_BYTES:
            raise IppUnreachable(f"{target.host}:{target.port}: answer over {MAX_ANSWER_BYTES} B")
        try:
            return decode(answer)
        except IppDecodeError as err:
            raise IppUnreachable(f"{target.host}:{target.port}: {err}") from err
