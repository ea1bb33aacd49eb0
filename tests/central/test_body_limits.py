"""Every route's request body is bounded: refused with 413 from its Content-Length before a
byte of it is read, and while it streams when it has none (chunked). Raw sockets, so the test
controls exactly what is sent and sees that the answer comes before the body."""

from __future__ import annotations

import json
import socket

import pytest

from central.security.body_limit import MAX_BATCH_BODY_BYTES, MAX_JSON_BODY_BYTES
from tests.support.central_server import CentralServer

HUGE = 200 * 1024 * 1024
ROUTES = [
    "/v1/enrollments",  # needs no authentication at all
    "/v1/heartbeats",  # the fast path in front of FastAPI
    "/v1/sessions",
    "/v1/operator/login",
    "/v1/submissions/batch",
    "/v1/documents",
]


def _status_and_body(sock: socket.socket) -> tuple[int, dict[str, object]]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed without an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return int(lines[0].split()[1]), json.loads(body)


def _request_head(central: CentralServer, path: str, extra: str) -> bytes:
    content_type = "application/pdf" if path == "/v1/documents" else "application/json"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{central.port}\r\n"
        f"Content-Type: {content_type}\r\n{extra}\r\n"
    ).encode()


@pytest.mark.parametrize("path", ROUTES)
def test_a_declared_huge_body_is_refused_before_it_is_sent(
    central: CentralServer, path: str
) -> None:
    with socket.create_connection(("127.0.0.1", central.port), timeout=10) as sock:
        sock.sendall(_request_head(central, path, f"Content-Length: {HUGE}\r\n"))
        status, body = _status_and_body(sock)  # answered with no byte of the body sent
    assert status == 413
    assert body["code"] in ("too_large", "document_too_large")


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/v1/enrollments", MAX_JSON_BODY_BYTES),
        ("/v1/heartbeats", MAX_JSON_BODY_BYTES),
        ("/v1/submissions/batch", MAX_BATCH_BODY_BYTES),
    ],
)
def test_a_chunked_body_is_refused_once_it_passes_the_limit(
    central: CentralServer, path: str, limit: int
) -> None:
    chunk = b" " * 65536
    with socket.create_connection(("127.0.0.1", central.port), timeout=10) as sock:
        sock.sendall(_request_head(central, path, "Transfer-Encoding: chunked\r\n"))
        sent = 0
        try:
            while sent <= limit + len(chunk):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server may close its side once it has answered
            pass
        status, body = _status_and_body(sock)
    assert status == 413
    assert body["code"] == "too_large"
    assert body["details"] == {"max_bytes": limit}


def test_a_body_under_the_limit_still_reaches_the_route(central: CentralServer) -> None:
    """A chunked body within the limit is read whole and validated as before (422)."""
    payload = json.dumps({"token": "x" * 1000}).encode()
    with socket.create_connection(("127.0.0.1", central.port), timeout=10) as sock:
        sock.sendall(_request_head(central, "/v1/enrollments", "Transfer-Encoding: chunked\r\n"))
        sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload))
        status, body = _status_and_body(sock)
    assert status == 422
    assert body["code"] == "invalid_input"
