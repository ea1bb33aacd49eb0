"""The health loop: a heartbeat every ``heartbeat.period_s`` (jittered) and one at once when a
device or the kiosk's availability changes, each committed to the outbox so that beats made
while the centre is away arrive later, once, in order. It also keeps the status file.

One thread owns all of it. Device threads, the outbox sender and the session's owner only
put what they saw on its queue and return.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from central.contract.models import PeripheralStatus
from drivers.base import DeviceStatus, StatusChanged
from kiosk.assembly import KioskCore
from kiosk.health import build_heartbeat
from kiosk.outbox import KIND_HEARTBEAT, DeliveryDeferred, ItemDelivered, OutboxError
from kiosk.runtime.status import DeviceLine, RuntimeStatus, write_status
from kiosk.session import State
from kiosk.session.events import StateChanged

log = logging.getLogger(__name__)

JITTER = 0.1  # ±10 % of the period: a fleet restarted together does not ping in step
DEBOUNCE_S = 0.05  # a device change and the availability change it causes go in one beat
LAST_ERROR_MAX = 500  # PeripheralStatus.last_error's limit
# Outbox reasons that mean "the centre is not there" (not: it answered and refused).
UNREACHABLE = ("offline", "timeout", "http_5xx")


@dataclass(frozen=True)
class _Stop:
    pass


Seen = StatusChanged | StateChanged | ItemDelivered | DeliveryDeferred | _Stop


def peripheral(role: str, status: DeviceStatus) -> PeripheralStatus:
    return PeripheralStatus(
        name=role,
        kind=status.kind.value,
        state=status.state.value,
        supply=status.supply.value,
        cover=status.cover.value,
        last_error=status.last_error[:LAST_ERROR_MAX] if status.last_error else None,
        since=datetime.fromtimestamp(status.since, UTC),
    )


def _signature(status: DeviceStatus) -> tuple[str, str, str]:
    """What makes a device change worth telling the centre at once (not its error text)."""
    return status.state.value, status.supply.value, status.cover.value


class HealthLoop:
    def __init__(
        self,
        core: KioskCore,
        *,
        period_s: float,
        status_path: Path,
    ) -> None:
        self._core = core
        self._period_s = period_s
        self._status_path = status_path
        self._rng = random.Random()  # noqa: S311 - jitter, not a secret
        self._seen: queue.SimpleQueue[Seen] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="health-loop", daemon=True)
        self._unsubscribe: list[Callable[[], None]] = []
        # owned by the health thread from start() on
        self._sequence = 0
        self._devices: dict[str, tuple[str, str, str]] = {}
        self._centre: bool | None = None
        self._last_ack: datetime | None = None
        self._sent = 0
        self._backlog = 0

    def start(self) -> None:
        bus = self._core.bus
        self._unsubscribe += [
            bus.subscribe(StatusChanged, self._seen.put),
            bus.subscribe(ItemDelivered, self._outbox_event),
            bus.subscribe(DeliveryDeferred, self._outbox_event),
            self._core.owner.observe(StateChanged, self._state_event),
        ]
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout_s: float = 1.0) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._seen.put(_Stop())
        self._thread.join(timeout_s)

    def write_stopped(self) -> None:
        """The last word in the status file once the kiosk has stopped (the outbox is closed:
        its backlog is the last one counted)."""
        self._write_status("STOPPED", None, self._backlog)

    # ------------------------------------------------------------------ other threads

    def _outbox_event(self, event: ItemDelivered | DeliveryDeferred) -> None:
        if event.kind == KIND_HEARTBEAT:
            self._seen.put(event)

    def _state_event(self, event: StateChanged) -> None:
        if State.OUT_OF_SERVICE in (event.state, event.previous):
            self._seen.put(event)

    # ------------------------------------------------------------------ the health thread

    def _next_due(self) -> float:
        factor = self._rng.uniform(1 - JITTER, 1 + JITTER)
        return time.monotonic() + self._period_s * factor

    def _run(self) -> None:
        self._remember_devices()
        self._beat("schedule")
        due = self._next_due()
        while True:
            try:
                seen = self._seen.get(timeout=max(0.0, due - time.monotonic()))
            except queue.Empty:
                self._beat("schedule")
                due = self._next_due()
                continue
            if isinstance(seen, _Stop):
                return
            if self._take(seen):
                time.sleep(DEBOUNCE_S)
                while not self._seen.empty():  # what the debounce gathered goes in this beat
                    extra = self._seen.get_nowait()
                    if isinstance(extra, _Stop):
                        return
                    self._take(extra)
                self._beat("device_change")

    def _take(self, seen: Seen) -> bool:
        """Digest one thing seen; True when it calls for a beat at once."""
        if isinstance(seen, StatusChanged):
            signature = _signature(seen.status)
            changed = self._devices.get(seen.device) != signature
            self._devices[seen.device] = signature
            return changed
        if isinstance(seen, StateChanged):
            return True
        if isinstance(seen, ItemDelivered):
            self._last_ack = datetime.now(UTC)
            self._centre_is(True)
        elif isinstance(seen, DeliveryDeferred) and seen.reason in UNREACHABLE:
            self._centre_is(False)
        self._write_current()
        return False

    def _centre_is(self, reachable: bool) -> None:
        if reachable != self._centre:
            log.info("centre %s", "reachable" if reachable else "unreachable")
            self._centre = reachable
        elif not reachable:
            return
        # Every confirmed beat is news for the session: a failed call during a resident's
        # session may have marked the centre offline since (a no-op when nothing changed).
        self._core.owner.post(lambda session: session.centre_reachable(reachable))

    def _remember_devices(self) -> None:
        for role, status in self._core.device_statuses().items():
            self._devices.setdefault(role, _signature(status))

    def _beat(self, trigger: str) -> None:
        availability = self._core.session.availability
        self._sequence += 1
        beat = build_heartbeat(
            self._core.config,
            sequence=self._sequence,
            app_state=availability.app_state.value,
            app_state_reason=availability.reason.value if availability.reason else None,
            peripherals=[
                peripheral(role, status) for role, status in self._core.device_statuses().items()
            ],
            outbox_backlog=self._core.outbox.backlog(),
            trigger=trigger,
        )
        try:
            self._core.outbox.enqueue(KIND_HEARTBEAT, beat.model_dump(mode="json"))
            self._sent += 1
        except (OutboxError, ValueError) as error:
            log.error("heartbeat not queued: %s", type(error).__name__)
        if trigger != "schedule":
            log.info("device change: heartbeat %d queued", self._sequence)
        self._write_current()

    def _write_current(self) -> None:
        availability = self._core.session.availability
        reason = availability.reason.value if availability.reason else None
        self._backlog = self._core.outbox.backlog()
        self._write_status(availability.app_state.value, reason, self._backlog)

    def _write_status(self, app_state: str, reason: str | None, backlog: int) -> None:
        config = self._core.config
        status = RuntimeStatus(
            kiosk_id=config.kiosk.id or "",
            pid=os.getpid(),
            mode=config.kiosk.mode,
            app_state=app_state,
            reason=reason,
            centre_reachable=self._centre,
            outbox_backlog=backlog,
            heartbeats_sent=self._sent,
            last_heartbeat_at=self._last_ack.isoformat() if self._last_ack else None,
            updated_at=datetime.now(UTC).isoformat(),
            devices=[
                DeviceLine(role, s.state.value, s.supply.value, s.cover.value, s.last_error or None)
                for role, s in self._core.device_statuses().items()
            ],
        )
        try:
            write_status(self._status_path, status)
        except OSError as error:
            log.error("status file not written: %s", error.strerror)
