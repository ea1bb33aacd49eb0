"""A card reader in software, for journey tests and the demo: taps, removals and faults.

Call ``tap``/``remove``/``fail_read``/``unplug``/``replug`` directly, or pass a ``script`` of
``SimStep``s that a named thread plays after ``start()``. Events are the same as a real
reader's, so nothing above the driver can tell the difference.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from common.card_uid import CardUidError, canonical_uid
from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, StatusReporter
from drivers.cards.atr import card_kind
from drivers.cards.errors import CardReadError
from drivers.cards.events import CardPresented, CardReadFailed, CardRemoved
from drivers.threads import ServiceThread

EKTP_TYPE_A_ATR = "3B8B8001654B5450304432654B54504C"

Action = Literal["tap", "remove", "fail", "unplug", "replug"]


@dataclass(frozen=True)
class SimStep:
    """Wait ``delay`` seconds, then do ``action`` (``tap`` uses ``uid_hex`` and ``atr_hex``)."""

    delay: float
    action: Action
    uid_hex: str = ""
    atr_hex: str = EKTP_TYPE_A_ATR
    reason: str = "card answered 6A81 (function not supported by this card) to GET UID"

    def __post_init__(self) -> None:
        # A bad script fails when it is written, not half-way through a demo.
        if self.action == "tap":
            _script_uid(self.uid_hex)
            bytes.fromhex(self.atr_hex)



def _script_uid(uid_hex: str) -> str:
    """A scripted UID in canonical form; a bad one is the reader's ``CardReadError``."""
    try:
        return canonical_uid(uid_hex)
    except CardUidError as err:
        raise CardReadError(str(err)) from err


class SimulatedCardReader:
    def __init__(
        self,
        bus: EventBus,
        name: str = "card_reader",
        script: Sequence[SimStep] = (),
        reader_name: str = "Simulated reader",
    ) -> None:
        self.name = name
        self._bus = bus
        self._script = tuple(script)
        self._reader = reader_name
        self._status = StatusReporter(bus, name, DeviceKind.CARD_READER)
        self._thread = ServiceThread(f"{name}-simulated", self._play, self._crashed)
        self._card_present = False
        self._lock = threading.Lock()

    def start(self) -> None:
        self._status.update(state=DeviceState.ONLINE, last_error=None)
        if self._script:
            self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def status(self) -> DeviceStatus:
        return self._status.current

    def tap(self, uid_hex: str, atr_hex: str = EKTP_TYPE_A_ATR) -> None:
        """Present a card (removing the one on the reader first, as a real swap would)."""
        self.remove()
        uid = _script_uid(uid_hex)
        atr = bytes.fromhex(atr_hex)
        with self._lock:
            self._card_present = True
        self._bus.publish(CardPresented(self._reader, uid, atr.hex().upper(), card_kind(atr)))

    def remove(self) -> None:
        with self._lock:
            was_present, self._card_present = self._card_present, False
        if was_present:
            self._bus.publish(CardRemoved(self._reader))

    def fail_read(self, reason: str = SimStep.reason) -> None:
        """A card is there but unreadable; a later ``remove`` clears it, as on a real reader."""
        self.remove()
        with self._lock:
            self._card_present = True
        self._status.update(last_error=f"card read failed: {reason}")
        self._bus.publish(CardReadFailed(self._reader, reason))

    def unplug(self) -> None:
        self.remove()
        self._status.update(state=DeviceState.OFFLINE, last_error="reader unplugged (simulated)")

    def replug(self) -> None:
        self._status.update(state=DeviceState.ONLINE, last_error=None)

    def _play(self, stopping: threading.Event) -> None:
        for step in self._script:
            if stopping.wait(step.delay):
                return
            if step.action == "tap":
                self.tap(step.uid_hex, step.atr_hex)
            elif step.action == "remove":
                self.remove()
            elif step.action == "fail":
                self.fail_read(step.reason)
            elif step.action == "unplug":
                self.unplug()
            else:
                self.replug()

    def _crashed(self, exc: BaseException) -> None:
        self._status.update(state=DeviceState.ERROR, last_error=f"simulator script failed: {exc}")
