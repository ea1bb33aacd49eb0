"""A QR/barcode scanner in virtual-COM mode: one code per line over pyserial."""

from __future__ import annotations

import logging

from common.events import EventBus
from drivers.base import DeviceKind, DeviceStatus, StatusReporter
from drivers.scanner.lines import PortSelector, SerialLineSource
from drivers.scanner.scanner import CodeScanned, ScanRejected

log = logging.getLogger(__name__)


class SerialCodeScanner:
    """Find the port by ``vid``/``pid``/``serial_number`` (falling back to ``path``)."""

    def __init__(
        self,
        bus: EventBus,
        name: str = "code_scanner",
        path: str | None = None,
        vid: int | None = None,
        pid: int | None = None,
        serial_number: str | None = None,
        baudrate: int = 9600,
        max_line: int = 4096,
    ) -> None:
        self.name = name
        self._bus = bus
        self._status = StatusReporter(bus, name, DeviceKind.CODE_SCANNER)
        self._source = SerialLineSource(
            name,
            PortSelector(vid=vid, pid=pid, serial_number=serial_number, path=path),
            self._status,
            on_line=self._code,
            on_reject=self._reject,
            baudrate=baudrate,
            max_line=max_line,
        )

    def start(self) -> None:
        self._source.start()

    def stop(self) -> None:
        self._source.stop()

    def status(self) -> DeviceStatus:
        return self._status.current

    def _code(self, code: str) -> None:
        log.info("%s: code scanned (%d characters)", self.name, len(code))
        self._status.update(last_error=None)
        self._bus.publish(CodeScanned(code))

    def _reject(self, reason: str) -> None:
        log.warning("%s: scan rejected: %s", self.name, reason)
        self._status.update(last_error=reason)
        self._bus.publish(ScanRejected(reason))
