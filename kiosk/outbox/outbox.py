"""The outbox: the kiosk's durable, encrypted queue of requests the centre has not yet
confirmed, and the background sender that empties it.

Typical use (the session submits, prints, and never waits for the network)::

    outbox = Outbox.open(config.outbox, KioskKey.load(config.identity.key_file), deliver, bus)
    outbox.start()
    item = outbox.enqueue("complaint", payload)   # returns once committed to disk
    print_receipt(local_ref=item.local_ref, queued=True)
    ...
    outbox.stop(timeout_s=5)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from common.events import Event, EventBus
from kiosk.config.schema import OutboxSection
from kiosk.identity import KioskKey
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.items import (
    DEFAULT_KINDS,
    KIND_HEARTBEAT,
    Attachment,
    DeadLetter,
    OutboxItem,
    check_headers,
    check_kind,
    check_local_ref,
    encode_payload,
    new_local_ref,
)
from kiosk.outbox.seal import Sealer
from kiosk.outbox.sender import DEFAULT_BATCH_SIZE, Deliver, Sender
from kiosk.outbox.store import OutboxStore


class Outbox:
    def __init__(
        self,
        path: Path,
        key: KioskKey,
        deliver: Deliver,
        *,
        max_backoff_s: float,
        bus: EventBus | None = None,
        kinds: Sequence[str] = DEFAULT_KINDS,
        lanes: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        """``lanes`` maps a kind to its lane (default: each kind its own FIFO lane).
        ``clock`` is wall time (epoch seconds): item times survive restarts. A ``deliver``
        that has ``deliver_batch`` (:class:`kiosk.outbox.BatchDeliver`) gets up to
        ``batch_size`` due items of a lane at once."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._kinds = tuple(check_kind(kind) for kind in kinds)
        self._lanes = {kind: kind for kind in self._kinds} | dict(lanes or {})
        self._clock = clock
        self._bus = bus
        self._store = OutboxStore(path, Sealer(key))
        self._sender = Sender(
            self._store,
            deliver,
            backoff or Backoff(max_s=max_backoff_s),
            self._publish,
            clock,
            batch_size,
        )

    @classmethod
    def open(
        cls,
        section: OutboxSection,
        key: KioskKey,
        deliver: Deliver,
        bus: EventBus | None = None,
    ) -> Outbox:
        """From the kiosk config's ``[outbox]`` section."""
        return cls(section.path, key, deliver, max_backoff_s=section.max_backoff_s, bus=bus)

    # ------------------------------------------------------------------ submitting

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        local_ref: str | None = None,
        headers: Mapping[str, str] | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> OutboxItem:
        """Commit one request durably and return it; only then may its receipt print.

        ``local_ref`` defaults to a fresh random one; pass your own when the payload must
        name it (the services' ``local_ref`` field). If the payload has a ``local_ref`` it
        must be the same. ``headers`` go with every attempt and are sealed like the payload
        (``X-Resident-Grant``: the sign-in's grant that lets the outbox deliver for a resident
        after the session ended). Raises ``ValueError`` for bad input and ``OutboxError`` when the
        item could not be stored (disk full…): then nothing was queued.
        """
        lane = self._lanes.get(check_kind(kind))
        if lane is None:
            raise ValueError(f"the outbox does not send {kind!r} items")
        ref = check_local_ref(local_ref or str(payload.get("local_ref") or new_local_ref()))
        if "local_ref" in payload and payload["local_ref"] != ref:
            raise ValueError("the payload's local_ref differs from the item's local_ref")
        body = encode_payload(payload)
        extra = check_headers(headers or {})
        now = self._clock()
        seq = self._store.add(
            local_ref=ref,
            kind=kind,
            lane=lane,
            body=body,
            headers=extra,
            attachments=attachments,
            now=now,
        )
        self._sender.notify(lane)
        return OutboxItem(
            seq=seq,
            local_ref=ref,
            kind=kind,
            body=body,
            headers=extra,
            attachments=tuple(attachments),
            created_at=now,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
        )

    # ------------------------------------------------------------------ the sender

    def start(self) -> None:
        """Start one sender thread per lane (including lanes only found in the file)."""
        self._sender.start({*self._lanes.values(), *self._store.lanes()})

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop sending; True when every lane stopped within ``timeout_s``."""
        return self._sender.stop(timeout_s)

    def wake(self) -> None:
        """Send now, skipping backoff once (after a network change, or the centre is back)."""
        self._sender.wake()

    def close(self, timeout_s: float = 10.0) -> bool:
        stopped = self.stop(timeout_s)
        if stopped:
            self._store.close()
        return stopped

    # ------------------------------------------------------------------ status

    def backlog(self, *, include_heartbeats: bool = False) -> int:
        """Unconfirmed items (the heartbeat's ``outbox_backlog`` counts submissions only)."""
        if include_heartbeats:
            return self._store.count()
        return self._store.count([kind for kind in self._kinds if kind != KIND_HEARTBEAT])

    def oldest_age_s(self) -> float | None:
        oldest = self._store.oldest_created_at()
        return None if oldest is None else max(0.0, self._clock() - oldest)

    def dead_letters(self) -> list[DeadLetter]:
        return self._store.dead_letters()

    def requeue_dead(self, local_ref: str) -> bool:
        """Send a dead letter again, at the end of its lane (after its cause was fixed)."""
        moved = self._store.requeue_dead(local_ref, self._clock())
        if moved:
            self._sender.wake()
        return moved

    def items(self) -> Iterator[OutboxItem]:
        """Every queued item, decrypted, in enqueue order (for checks and the benchmark)."""
        return self._store.items()

    def _publish(self, event: Event) -> None:
        if self._bus is not None:
            self._bus.publish(event)
