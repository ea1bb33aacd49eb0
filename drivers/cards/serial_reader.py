"""Card readers in virtual-COM mode: one UID per line, as hex (most) or decimal (like a wedge).

The format is configured, not guessed: a 14-character line is valid both as 7 bytes of hex
and as a 14-digit decimal UID. Such readers cannot tell when a card leaves, so no
``CardRemoved`` is published.
"""

from __future__ import annotations

import logging
from typing import Literal

from common.card_uid import ByteOrder, CardUidError, canonical_uid, log_tag, uid_from_decimal
from common.events import EventBus
from drivers.base import DeviceKind, DeviceStatus, StatusReporter
from drivers.cards.events import CardKind, CardPresented, CardReadFailed
from drivers.scanner.lines import PortSelector, SerialLineSource

log = logging.getLogger(__name__)

UidFormat = Literal["hex", "decimal"]


class SerialCardReader:
    def __init__(
        self,
        bus: EventBus,
        name: str = "card_reader",
        path: str | None = None,
        vid: int | None = None,
        pid: int | None = None,
        serial_number: str | None = None,
        baudrate: int = 9600,
        uid_format: UidFormat = "hex",
        byte_order: ByteOrder = "little",
    ) -> None:
        self.name = name
        self._bus = bus
        self._format = uid_format
        self._byte_order = byte_order
        self._status = StatusReporter(bus, name, DeviceKind.CARD_READER)
        self._source = SerialLineSource(
            name,
            PortSelector(vid=vid, pid=pid, serial_number=serial_number, path=path),
            self._status,
            on_line=self._line,
            on_reject=self._reject,
            baudrate=baudrate,
            max_line=64,  # the longest UID form is 20 hex digits plus separators
        )

    def start(self) -> None:
        self._source.start()

    def stop(self) -> None:
        self._source.stop()

    def status(self) -> DeviceStatus:
        return self._status.current

    def _line(self, text: str) -> None:
        try:
            if self._format == "hex":
                uid = canonical_uid(text)
            else:
                uid = uid_from_decimal(text, byte_order=self._byte_order)
        except CardUidError as exc:
            self._reject(str(exc))
            return
        log.info("%s: card %s read", self.name, log_tag(uid))
        self._status.update(last_error=None)
        self._bus.publish(CardPresented(self.name, uid, "", CardKind.OTHER))

    def _reject(self, reason: str) -> None:
        log.warning("%s: unusable line from the reader: %s", self.name, reason)
        self._status.update(last_error=reason)
        self._bus.publish(CardReadFailed(self.name, reason))
