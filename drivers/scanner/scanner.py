"""The code scanner interface and its events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from common.events import Event
from drivers.base import DeviceStatus


@dataclass(frozen=True)
class CodeScanned(Event):
    """One complete code, decoded as UTF-8 with surrounding whitespace removed."""

    code: str


@dataclass(frozen=True)
class ScanRejected(Event):
    """The scanner sent something unusable (oversized, invalid UTF-8, control characters).

    ``reason`` never contains the scanned bytes: a code can carry personal data.
    """

    reason: str


class CodeScanner(Protocol):
    """Start, stop, tell your status; codes arrive as ``CodeScanned`` events on the bus."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def status(self) -> DeviceStatus: ...
