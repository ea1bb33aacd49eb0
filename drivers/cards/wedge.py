"""Keyboard-wedge card readers: they "type" the UID as 10-17 decimal digits and Enter.

The UI owns the keyboard, so it feeds every key to ``feed_key``; the driver decides from the
timing whether the keys came from a reader. A reader types its whole burst within a few
milliseconds per key; a person needs well over 50 ms between keys even when typing fast. A
burst is a card only if every gap (Enter included) is at most ``max_key_gap`` and it holds
10-17 digits; anything else is dropped as typing. Wedge readers cannot tell when a card leaves,
so this driver never publishes ``CardRemoved``.
"""

from __future__ import annotations

import logging

from common.card_uid import ByteOrder, CardUidError, log_tag, uid_from_decimal
from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, StatusReporter
from drivers.cards.events import CardKind, CardPresented, CardReadFailed

log = logging.getLogger(__name__)

ENTER_KEYS = frozenset({"\r", "\n", "enter"})
MIN_DIGITS, MAX_DIGITS = 10, 17
_DIGITS = frozenset("0123456789")


class KeyboardWedgeReader:
    """Turns a fast burst of digits + Enter into ``CardPresented``; the UI calls ``feed_key``."""

    def __init__(
        self,
        bus: EventBus,
        name: str = "card_reader",
        byte_order: ByteOrder = "little",
        max_key_gap: float = 0.03,
    ) -> None:
        self.name = name
        self._bus = bus
        self._byte_order = byte_order
        self._max_gap = max_key_gap
        self._status = StatusReporter(bus, name, DeviceKind.CARD_READER)
        self._digits: list[str] = []
        self._last_key_at: float | None = None
        self._running = False

    def start(self) -> None:
        # Nothing to open: a wedge reader is a keyboard. Its state stays ``unknown`` until it
        # has typed a card, because silence does not prove it is plugged in.
        self._running = True

    def stop(self) -> None:
        self._running = False
        self._reset()

    def status(self) -> DeviceStatus:
        return self._status.current

    def feed_key(self, key: str, timestamp: float) -> bool:
        """One key from the UI (``timestamp`` in seconds, any monotonic clock).

        Returns True when the key completed a card burst, so the UI can drop the Enter.
        """
        if not self._running:
            return False
        gap_ok = self._last_key_at is not None and timestamp - self._last_key_at <= self._max_gap
        self._last_key_at = timestamp
        if key.lower() in ENTER_KEYS:
            digits = "".join(self._digits) if gap_ok else ""
            self._reset()
            return self._burst_ended(digits)
        if key not in _DIGITS or len(self._digits) > MAX_DIGITS:
            self._reset()
            return False
        if not gap_ok:
            self._digits = []  # a slow key starts a new burst
        self._digits.append(key)
        return False

    def _reset(self) -> None:
        self._digits = []

    def _burst_ended(self, digits: str) -> bool:
        if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
            return False
        try:
            uid = uid_from_decimal(digits, byte_order=self._byte_order)
        except CardUidError as exc:
            self._bus.publish(CardReadFailed(self.name, str(exc)))
            return True
        log.info("%s: card %s typed by the wedge reader", self.name, log_tag(uid))
        self._status.update(state=DeviceState.ONLINE, last_error=None)
        self._bus.publish(CardPresented(self.name, uid, "", CardKind.OTHER))
        return True
