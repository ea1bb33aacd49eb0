"""Submitting through the outbox: committed to disk first, then sent at once, and the session
waits a moment for the centre's answer to print it on the receipt.

If the answer does not come in time (the centre is down, or older items are still ahead in
the same lane) the submission stays queued and the resident gets a "saved, not sent yet"
receipt carrying its local reference; the outbox delivers it later, exactly once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from pydantic import BaseModel

from central.contract.models import ErrorBody
from common.events import EventBus
from kiosk.central_client import Credentials
from kiosk.delivery import CentreDelivery
from kiosk.metrics import NO_METRICS, Metrics
from kiosk.outbox import Attachment, DeliveryDeferred, ItemDeadLettered, ItemDelivered, Outbox
from kiosk.outbox.events import OutboxEvent
from kiosk.session.flows import OutboxSubmission


@dataclass(frozen=True)
class Submitted:
    """``result`` when the centre answered in time; ``refusal`` when it said no for good;
    neither when the submission waits in the outbox (``deferred`` says why, as a code)."""

    local_ref: str
    result: BaseModel | None = None
    refusal: ErrorBody | None = None
    deferred: str | None = None


class OutboxSubmitter:
    def __init__(
        self,
        outbox: Outbox,
        delivery: CentreDelivery,
        bus: EventBus,
        wait_s: float = 8.0,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._outbox = outbox
        self._delivery = delivery
        self._bus = bus
        self._wait_s = wait_s
        self._metrics = metrics  # told how long sessions wait on the sender

    def submit(self, submission: OutboxSubmission, credentials: Credentials) -> Submitted:
        settled = threading.Event()
        seen: list[OutboxEvent] = []

        def watch(event: OutboxEvent) -> None:
            if event.local_ref == submission.local_ref:
                seen.append(event)
                settled.set()

        unsubscribe = self._bus.subscribe(OutboxEvent, watch)
        self._delivery.await_outcome(submission.local_ref)
        try:
            self._outbox.enqueue(
                submission.kind,
                submission.payload.model_dump(mode="json"),
                local_ref=submission.local_ref,
                headers=credentials.grant_headers(),
                attachments=[
                    Attachment(name, doc.content_type, doc.content)
                    for name, doc in submission.attachments.items()
                ],
            )
            started = time.perf_counter()
            settled.wait(self._wait_s)
            self._metrics.waited("outbox", time.perf_counter() - started)
        finally:
            unsubscribe()
        outcome = self._delivery.take_outcome(submission.local_ref)
        last = seen[-1] if seen else None
        if isinstance(last, ItemDelivered) and isinstance(outcome, BaseModel):
            return Submitted(submission.local_ref, result=outcome)
        if isinstance(last, ItemDeadLettered):
            return Submitted(
                submission.local_ref, refusal=outcome if isinstance(outcome, ErrorBody) else None
            )
        reason = last.reason if isinstance(last, DeliveryDeferred) else "waiting"
        return Submitted(submission.local_ref, deferred=reason)
