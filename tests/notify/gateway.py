"""A stand-in SMS/WhatsApp gateway on loopback: a real HTTP server in a thread that records
every POST and answers from a script (e.g. two 503s, then 200s), so the notifier's retries
and the outbox's exactly-once sending are tested over a real socket."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Received:
    key: str
    authorization: str
    body: dict[str, Any]
    status: int


@dataclass
class Gateway:
    url: str = ""
    script: list[int] = field(default_factory=list)  # statuses to answer first, then 200
    delay_s: float = 0.0
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, key: str, authorization: str, body: dict[str, Any]) -> int:
        with self._lock:
            status = self.script.pop(0) if self.script else 200
            self.received.append(Received(key, authorization, body, status))
            return status

    def delivered(self) -> Counter[str]:
        """Accepted POSTs per idempotency key (what a resident's phone would get)."""
        with self._lock:
            return Counter(r.key for r in self.received if r.status == 200)


@contextmanager
def running_gateway(script: list[int] | None = None, delay_s: float = 0.0) -> Iterator[Gateway]:
    gateway = Gateway(script=list(script or []), delay_s=delay_s)
    stop_delay = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length", "0")), MAX_BODY)
            body = json.loads(self.rfile.read(length) or b"{}")
            if gateway.delay_s:
                stop_delay.wait(gateway.delay_s)
            status = gateway.answer(
                self.headers.get("Idempotency-Key", ""),
                self.headers.get("Authorization", ""),
                body,
            )
            payload = json.dumps({"status": "queued" if status == 200 else "error"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        stop_delay.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
