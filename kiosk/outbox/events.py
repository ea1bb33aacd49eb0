"""What the outbox tells the rest of the kiosk, on the shared event bus.

Published from the sender thread; listeners must hand work to their own thread (the UI uses
``Clock.schedule_once``). None of these carry the payload, only the random reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.events import Event


@dataclass(frozen=True)
class OutboxEvent(Event):
    local_ref: str
    kind: str


@dataclass(frozen=True)
class ItemDelivered(OutboxEvent):
    attempts: int


@dataclass(frozen=True)
class DeliveryDeferred(OutboxEvent):
    """Not delivered this time; the next try is ``retry_in_s`` away (the centre may be down)."""

    attempts: int
    reason: str
    retry_in_s: float


@dataclass(frozen=True)
class ItemDeadLettered(OutboxEvent):
    """The centre refused the item for good, or it no longer decrypts: a person must look."""

    reason: str
