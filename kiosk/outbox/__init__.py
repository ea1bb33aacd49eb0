"""The offline outbox: submissions committed to an encrypted SQLite file before the receipt
prints, sent in order by a background sender, removed only when the centre confirms.
See docs/outbox.md."""

from kiosk.outbox.backoff import Backoff
from kiosk.outbox.classify import classify_item, classify_reply
from kiosk.outbox.events import DeliveryDeferred, ItemDeadLettered, ItemDelivered, OutboxEvent
from kiosk.outbox.items import (
    DEFAULT_KINDS,
    KIND_BANSOS_APPLICATION,
    KIND_COMPLAINT,
    KIND_HEARTBEAT,
    KIND_LETTER,
    Attachment,
    DeadLetter,
    DeliveryResult,
    OutboxItem,
    Outcome,
    new_local_ref,
)
from kiosk.outbox.outbox import Outbox
from kiosk.outbox.sender import BatchDeliver, Deliver
from kiosk.outbox.store import (
    CorruptItem,
    DuplicateLocalRef,
    OutboxError,
    OutboxKeyMismatch,
)

__all__ = [
    "DEFAULT_KINDS",
    "KIND_BANSOS_APPLICATION",
    "KIND_COMPLAINT",
    "KIND_HEARTBEAT",
    "KIND_LETTER",
    "Attachment",
    "Backoff",
    "BatchDeliver",
    "CorruptItem",
    "DeadLetter",
    "Deliver",
    "DeliveryDeferred",
    "DeliveryResult",
    "DuplicateLocalRef",
    "ItemDeadLettered",
    "ItemDelivered",
    "Outbox",
    "OutboxError",
    "OutboxEvent",
    "OutboxItem",
    "OutboxKeyMismatch",
    "Outcome",
    "classify_item",
    "classify_reply",
    "new_local_ref",
]
