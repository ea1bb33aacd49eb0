"""A real ``deliver`` for the outbox tests and benchmark: signed HTTP to the centre.

The kiosk's own API client (kiosk/central_client.py) is wired in by the application; this one
is deliberately small so the outbox tests depend only on the outbox and the wire contract.
Each attempt carries ``Idempotency-Key: <local_ref>`` and the item's body unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from central.contract import services as wire
from kiosk.outbox import DeliveryResult, OutboxItem, classify_reply

PATHS = {
    "complaint": "/v1/complaints",
    "heartbeat": "/v1/heartbeats",
    "letter": "/v1/letters",
    "bansos_application": "/v1/bansos/applications",
}
TIMEOUT_S = (3.05, 10.0)  # connect, read


class HttpDelivery:
    def __init__(self, session: requests.Session, base_url: str) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.replayed = 0  # answers the centre gave from its idempotency record

    def __call__(self, item: OutboxItem) -> DeliveryResult:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": item.local_ref,
            **item.headers,
        }
        try:
            reply = self.session.post(
                self.base_url + PATHS[item.kind], data=item.body, headers=headers, timeout=TIMEOUT_S
            )
        except requests.Timeout:
            return DeliveryResult.retry("timeout")
        except requests.ConnectionError:
            return DeliveryResult.retry("offline")
        if reply.headers.get("Idempotent-Replayed") == "true":
            self.replayed += 1
        return classify_reply(reply.status_code, _error_code(reply), _retry_after(reply))


def _error_code(reply: requests.Response) -> str | None:
    if reply.ok:
        return None
    try:
        body = reply.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _retry_after(reply: requests.Response) -> float | None:
    try:
        return float(reply.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def complaint(local_ref: str, n: int, submitted_at: datetime | None = None) -> dict[str, Any]:
    """A valid ``ComplaintCreate`` body; the NIK-like number checks nothing leaks."""
    when = submitted_at or datetime.now(UTC) - timedelta(minutes=1)
    return wire.ComplaintCreate(
        local_ref=local_ref,
        category="infrastruktur",
        text=f"Lampu jalan mati sejak lama, keluhan {n}, pelapor 3510016502870001",
        submitted_at=when,
    ).model_dump(mode="json")


def sign_in(session: requests.Session, base_url: str, nik: str, pin: str) -> str:
    """Sign a demo resident in; returns the submission grant the outbox sends with items."""
    reply = session.post(
        base_url + "/v1/sessions",
        json={"method": "nik", "nik": nik, "pin": pin},
        timeout=TIMEOUT_S,
    )
    reply.raise_for_status()
    grant: str = reply.json()["submission_grant"]
    return grant
