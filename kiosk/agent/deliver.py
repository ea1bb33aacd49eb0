"""One signed POST to the centre, and of its answer only the status and the Date header.

A minimal HTTP/1.1 exchange over a socket (``Connection: close``) rather than ``http.client``:
the agent needs two facts of the answer, and ``http.client`` (with the ``email`` package it
parses headers with) cost the agent a fifth of its CPU budget; ``requests`` would cost a third.
TLS (``https://``) is Python's ``ssl`` with the system's certificate authorities and host name
checks, as ``http.client`` would do. Signed by ``kiosk.signing.RequestSigner``, as every kiosk
request.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from central.contract.signing import HEADER_IDEMPOTENCY
from kiosk.signing import RequestSigner

IDEMPOTENCY_KEY_BYTES = 16
# The status line and headers of an answer are far smaller; anything longer is not our centre.
MAX_HEAD_BYTES = 16_384
READ_CHUNK = 4096
DEFAULT_PORTS = {"http": 80, "https": 443}
# IMF-fixdate (RFC 9110), the Date header's one form: "Fri, 04 Dec 2026 07:31:09 GMT".
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Answer(NamedTuple):
    status: int | None  # None: no answer at all (unreachable, timed out, not HTTP)
    detail: str  # for the journal: the status line or the error's class
    centre_time: float | None  # the centre's Date header, when it sent one


def post_signed(
    base_url: str, path: str, body: bytes, signer: RequestSigner, timeout_s: float
) -> Answer:
    """POST ``body`` (JSON) to ``base_url`` + ``path``, signed, with a fresh Idempotency-Key."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    full_path = parts.path.rstrip("/") + path
    headers = {
        "Host": parts.netloc,
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        HEADER_IDEMPOTENCY: os.urandom(IDEMPOTENCY_KEY_BYTES).hex(),
        **signer.headers("POST", full_path, body),
    }
    head = f"POST {full_path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            connection = _tls(raw, host) if parts.scheme == "https" else raw
            connection.sendall(head.encode("latin-1") + b"\r\n" + body)
            return _answer(_read_head(connection))
    except (OSError, ValueError, KeyError) as err:
        return Answer(None, type(err).__name__, None)


def _tls(raw: socket.socket, host: str) -> socket.socket:
    import ssl  # only for https://: a loopback or LAN centre over http:// never pays for it

    return ssl.create_default_context().wrap_socket(raw, server_hostname=host)


def _read_head(connection: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(READ_CHUNK)
        if not chunk:
            break
        received += chunk
        if len(received) > MAX_HEAD_BYTES:
            raise ValueError("answer head too long")
    return received.split(b"\r\n\r\n", 1)[0]


def _answer(head: bytes) -> Answer:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/") or not code.isdigit():
        return Answer(None, "not an HTTP answer", None)
    date = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "date":
            date = http_date(value.strip())
    return Answer(int(code), f"HTTP {rest}".strip(), date)


def http_date(text: str) -> float | None:
    """An IMF-fixdate as a POSIX time; None for anything else."""
    try:
        _weekday, day, month, year, clock, zone = text.split()
        hour, minute, second = (int(part) for part in clock.split(":"))
        moment = datetime(
            int(year), MONTHS.index(month) + 1, int(day), hour, minute, second, tzinfo=UTC
        )
    except ValueError:
        return None
    return moment.timestamp() if zone == "GMT" else None
