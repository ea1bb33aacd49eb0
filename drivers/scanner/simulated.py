"""A code scanner in software: ``scan`` a code, ``send`` raw bytes (faults), ``unplug``.

Raw bytes go through the same line splitting and decoding as the serial driver, so garbage,
oversized lines and invalid UTF-8 behave exactly as they would from real hardware.
"""

from __future__ import annotations

from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, StatusReporter
from drivers.scanner.lines import LineSplitter, deliver
from drivers.scanner.scanner import CodeScanned, ScanRejected


class SimulatedCodeScanner:
    def __init__(self, bus: EventBus, name: str = "code_scanner", max_line: int = 4096) -> None:
        self.name = name
        self._bus = bus
        self._max_line = max_line
        self._splitter = LineSplitter(max_line)
        self._status = StatusReporter(bus, name, DeviceKind.CODE_SCANNER)

    def start(self) -> None:
        self._status.update(state=DeviceState.ONLINE, last_error=None)

    def stop(self) -> None:
        self._status.update(state=DeviceState.OFFLINE, last_error=None)

    def status(self) -> DeviceStatus:
        return self._status.current

    def scan(self, code: str) -> None:
        self.send(code.encode() + b"\r\n")

    def send(self, data: bytes) -> None:
        if self._status.current.state != DeviceState.ONLINE:
            return  # an unplugged scanner sends nothing
        for raw in self._splitter.feed(data):
            deliver(raw, self._max_line, self._code, self._reject)

    def unplug(self) -> None:
        self._splitter = LineSplitter(self._max_line)  # a half-sent line dies with the cable
        self._status.update(state=DeviceState.OFFLINE, last_error="scanner unplugged (simulated)")

    def replug(self) -> None:
        self._status.update(state=DeviceState.ONLINE, last_error=None)

    def _code(self, code: str) -> None:
        self._status.update(last_error=None)
        self._bus.publish(CodeScanned(code))

    def _reject(self, reason: str) -> None:
        self._status.update(last_error=reason)
        self._bus.publish(ScanRejected(reason))
