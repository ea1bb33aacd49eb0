"""The background sender: one thread per lane, each sending its lane's items strictly in
enqueue order.

A lane is a FIFO. Its head is sent, and only when the centre has answered for it does the next
item go; a head that must wait (offline, backoff) holds its lane, never the other lanes. By
default every kind is its own lane, so a heartbeat is never stuck behind a backlog of letters
and a letter is never reordered by heartbeats.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from drivers.events import Event
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.events import DeliveryDeferred, ItemDeadLettered, ItemDelivered
from kiosk.outbox.items import DeliveryResult, OutboxItem, Outcome, safe_reason
from kiosk.outbox.store import CorruptItem, OutboxStore

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxItem], DeliveryResult]
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
    ) -> None:
        self._store = store
        self._deliver = deliver
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
            except Exception as err:  # never a silently dead thread: log, pause, go on
                log.error("outbox lane %s: %s", lane, type(err).__name__)
                wait_s = FAULT_PAUSE_S
            if wait_s > 0:
                signal.wait(wait_s)

    def _step(self, lane: str, seen_wake: int) -> tuple[float, int]:
        """Send the lane's head if it is due; returns how long to sleep and the wake seen."""
        try:
            item = self._store.head(lane)
        except CorruptItem as bad:
            self._bury(bad.local_ref, bad.kind, "undecryptable", attempts=0)
            return 0.0, seen_wake
        if item is None:
            return IDLE_POLL_S, seen_wake
        now = self._clock()
        woken = self._wake_generation != seen_wake
        # A wall clock set back (no RTC battery, then NTP) must not park an item for days.
        clock_went_back = item.next_attempt_at - now > self._backoff.max_s
        if item.next_attempt_at > now and not woken and not clock_went_back:
            return item.next_attempt_at - now, seen_wake
        seen_wake = self._wake_generation
        result = self._attempt(item)
        attempts = item.attempts + 1
        reason = safe_reason(result.reason or result.outcome.value)
        if result.outcome is Outcome.DELIVERED:
            self._store.confirm(item.local_ref)
            self._publish(ItemDelivered(item.local_ref, item.kind, attempts))
            return 0.0, seen_wake
        if result.outcome is Outcome.REFUSED:
            self._bury(item.local_ref, item.kind, reason, attempts)
            return 0.0, seen_wake
        delay = self._backoff.delay(attempts, result.retry_after_s)
        self._store.record_failure(item.local_ref, attempts, self._clock() + delay, reason)
        self._publish(DeliveryDeferred(item.local_ref, item.kind, attempts, reason, delay))
        return delay, seen_wake

    def _attempt(self, item: OutboxItem) -> DeliveryResult:
        try:
            return self._deliver(item)
        except Exception as err:  # the message could echo payload text: log the type only
            log.error("outbox deliver failed for %s: %s", item.local_ref, type(err).__name__)
            return DeliveryResult.retry("deliver_error")

    def _bury(self, local_ref: str, kind: str, reason: str, attempts: int) -> None:
        self._store.dead_letter(local_ref, reason, attempts, self._clock())
        log.warning("outbox item %s (%s) dead-lettered: %s", local_ref, kind, reason)
        self._publish(ItemDeadLettered(local_ref, kind, reason))
