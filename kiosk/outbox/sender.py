"""The background sender: one thread per lane, each sending its lane's items strictly in
enqueue order.

A lane is a FIFO. Its head is sent, and only when the centre has answered for it does the next
item go; a head that must wait (offline, backoff) holds its lane, never the other lanes. By
default every kind is its own lane, so a heartbeat is never stuck behind a backlog of letters
and a letter is never reordered by heartbeats.

A deliverer that also has ``deliver_batch`` (:class:`BatchDeliver`) is handed up to
``batch_size`` due items from the head of a lane at once: one request for many items is what
lets a kiosk that was offline for a day catch up quickly. Its results are applied in order,
as if the items had been sent one by one: delivered items are removed, refused ones
dead-lettered, and the first that must be retried stops the round, keeping itself and every
item after it queued.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import takewhile
from typing import Protocol, runtime_checkable

from common.events import Event
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.events import DeliveryDeferred, ItemDeadLettered, ItemDelivered
from kiosk.outbox.items import DeliveryResult, OutboxItem, Outcome, safe_reason
from kiosk.outbox.store import CorruptItem, OutboxStore

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxItem], DeliveryResult]
DEFAULT_BATCH_SIZE = 50  # the centre's limit per batch request (central.contract.batch)


@runtime_checkable
class BatchDeliver(Protocol):
    """A ``deliver`` that can also send several items of a lane in one go.

    ``deliver_batch`` gets the lane's due items in order and answers results for the first
    of them (at least one, at most all), in the same order. Items without a result were not
    tried: they stay queued as they are and lead the next round (a deliverer may stop early,
    for instance before an item its batch request cannot carry). Results after the first
    ``RETRY`` are ignored: those items were not supposed to go ahead of it."""

    def __call__(self, item: OutboxItem) -> DeliveryResult: ...

    def deliver_batch(self, items: Sequence[OutboxItem]) -> list[DeliveryResult]: ...


IDLE_POLL_S = 30.0  # an empty lane re-checks the table this often even without a wake-up
FAULT_PAUSE_S = 1.0  # after an unexpected error (disk full, locked database) before trying again


class Sender:
    def __init__(
        self,
        store: OutboxStore,
        deliver: Deliver,
        backoff: Backoff,
        publish: Callable[[Event], None],
        clock: Callable[[], float] = time.time,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        """``batch_size`` caps the items handed to a :class:`BatchDeliver` at once; any other
        deliverer gets one item at a time."""
        self._store = store
        self._deliver = deliver
        self._deliver_batch = deliver.deliver_batch if isinstance(deliver, BatchDeliver) else None
        self._batch_size = batch_size if self._deliver_batch is not None else 1
        self._backoff = backoff
        self._publish = publish
        self._clock = clock
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._signals: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._wake_generation = 0

    @property
    def running(self) -> bool:
        with self._lock:
            return any(thread.is_alive() for thread in self._threads.values())

    def start(self, lanes: Iterable[str]) -> None:
        self._stopping.clear()
        for lane in lanes:
            self.ensure_lane(lane)

    def ensure_lane(self, lane: str) -> None:
        """Start the lane's thread if it is not running (idempotent, thread-safe)."""
        with self._lock:
            if self._stopping.is_set():
                return
            thread = self._threads.get(lane)
            if thread is not None and thread.is_alive():
                return
            signal = self._signals.setdefault(lane, threading.Event())
            thread = threading.Thread(
                target=self._run, args=(lane, signal), name=f"outbox-{lane}", daemon=True
            )
            self._threads[lane] = thread
            thread.start()

    def stop(self, timeout_s: float) -> bool:
        """Ask every lane to finish its current delivery and stop; True if all did in time.
        A delivery still blocked in the network is abandoned (its item stays queued)."""
        self._stopping.set()
        with self._lock:
            threads = list(self._threads.values())
            for signal in self._signals.values():
                signal.set()
        deadline = time.monotonic() + timeout_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stopped = not any(thread.is_alive() for thread in threads)
        if stopped:
            with self._lock:
                self._threads.clear()
        return stopped

    def notify(self, lane: str) -> None:
        """A new item in ``lane``: an idle lane sends it at once."""
        with self._lock:
            signal = self._signals.get(lane)
        if signal is not None:
            signal.set()

    def wake(self) -> None:
        """Every lane tries its head now, once, whatever its backoff says."""
        with self._lock:
            self._wake_generation += 1
            for signal in self._signals.values():
                signal.set()

    # ------------------------------------------------------------------ the lane loop

    def _run(self, lane: str, signal: threading.Event) -> None:
        seen_wake = self._wake_generation
        while not self._stopping.is_set():
            signal.clear()  # before reading, so a notify during the read is not lost
            try:
                wait_s, seen_wake = self._step(lane, seen_wake)
            except Exception as err:  # noqa: BLE001 - never a silently dead thread: log, pause, go on
                log.error("outbox lane %s: %s", lane, type(err).__name__)
                wait_s = FAULT_PAUSE_S
            if wait_s > 0:
                signal.wait(wait_s)

    def _step(self, lane: str, seen_wake: int) -> tuple[float, int]:
        """Send the lane's due head items; returns how long to sleep and the wake seen."""
        try:
            items = self._store.heads(lane, self._batch_size)
        except CorruptItem as bad:
            self._bury(bad.local_ref, bad.kind, "undecryptable", attempts=0)
            return 0.0, seen_wake
        if not items:
            return IDLE_POLL_S, seen_wake
        now = self._clock()
        woken = self._wake_generation != seen_wake
        head = items[0]
        if not self._due(head, now, woken):
            return head.next_attempt_at - now, seen_wake
        seen_wake = self._wake_generation
        ready = list(takewhile(lambda item: self._due(item, now, woken), items))
        return self._settle(ready, self._attempt(ready)), seen_wake

    def _due(self, item: OutboxItem, now: float, woken: bool) -> bool:
        # A wall clock set back (no RTC battery, then NTP) must not park an item for days.
        clock_went_back = item.next_attempt_at - now > self._backoff.max_s
        return item.next_attempt_at <= now or woken or clock_went_back

    def _attempt(self, items: list[OutboxItem]) -> list[DeliveryResult]:
        """Results for the first items, in order (a deliverer fault is a retry of the head)."""
        try:
            if self._deliver_batch is None:
                return [self._deliver(items[0])]
            results = self._deliver_batch(items)
        except Exception as err:  # noqa: BLE001 - a deliverer fault is a retry; log the type only
            log.error("outbox deliver failed for %s: %s", items[0].local_ref, type(err).__name__)
            return [DeliveryResult.retry("deliver_error")]
        if not 1 <= len(results) <= len(items):
            log.error(
                "outbox deliver_batch answered %d results for %d items", len(results), len(items)
            )
            return [DeliveryResult.retry("deliver_error")]
        return results

    def _settle(self, items: list[OutboxItem], results: list[DeliveryResult]) -> float:
        """Apply results in order up to the first retry; returns how long the lane waits."""
        delivered: list[str] = []
        dead: list[tuple[str, str, int]] = []
        events: list[Event] = []
        retry: DeliveryDeferred | None = None
        for item, result in zip(items, results, strict=False):
            attempts = item.attempts + 1
            reason = safe_reason(result.reason or result.outcome.value)
            if result.outcome is Outcome.DELIVERED:
                delivered.append(item.local_ref)
                events.append(ItemDelivered(item.local_ref, item.kind, attempts))
            elif result.outcome is Outcome.REFUSED:
                dead.append((item.local_ref, reason, attempts))
                log.warning(
                    "outbox item %s (%s) dead-lettered: %s", item.local_ref, item.kind, reason
                )
                events.append(ItemDeadLettered(item.local_ref, item.kind, reason))
            else:
                delay = self._backoff.delay(attempts, result.retry_after_s)
                retry = DeliveryDeferred(item.local_ref, item.kind, attempts, reason, delay)
                break
        self._store.settle(delivered, dead, self._clock())
        if retry is not None:
            self._store.record_failure(
                retry.local_ref, retry.attempts, self._clock() + retry.retry_in_s, retry.reason
            )
            events.append(retry)
        for event in events:
            self._publish(event)
        return 0.0 if retry is None else retry.retry_in_s

    def _bury(self, local_ref: str, kind: str, reason: str, attempts: int) -> None:
        self._store.dead_letter(local_ref, reason, attempts, self._clock())
        log.warning("outbox item %s (%s) dead-lettered: %s", local_ref, kind, reason)
        self._publish(ItemDeadLettered(local_ref, kind, reason))
