"""Reading an IPP printer's own words: ``printer-state`` and ``printer-state-reasons`` → the
project's status model (docs/DESIGN.md, "Device model").

Reasons carry a severity suffix (``-error``, ``-warning``, ``-report``; RFC 8011 §5.4.12)
which is dropped: CUPS relays an empty tray as ``media-empty-warning`` while ippeveprinter
says ``media-empty-report``, and for a kiosk's single A4 tray each means the same thing —
no letter can come out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drivers.base import Cover, DeviceState, Supply
from drivers.documents.ipp import PrinterState

_SEVERITIES = ("-error", "-warning", "-report")

MEDIA_OUT = frozenset({"media-empty", "media-needed"})
MEDIA_LOW = frozenset({"media-low"})
JAM = frozenset({"media-jam"})
DOOR = frozenset({"door-open", "cover-open", "interlock-open"})
UNREACHABLE = frozenset({"offline", "shutdown", "timed-out"})
PAUSED = frozenset({"paused", "moving-to-paused"})
# What only the device knows; with a separate status URI these come from the device, and
# CUPS's copies (remembered from the last job) are ignored.
DEVICE_REASONS = MEDIA_OUT | MEDIA_LOW | JAM | DOOR | UNREACHABLE


@dataclass(frozen=True)
class QueueReading:
    """What one ``Get-Printer-Attributes`` says, before it is stamped into a ``DeviceStatus``."""

    state: DeviceState
    supply: Supply
    cover: Cover
    problem: str | None


def base_reason(keyword: str) -> str:
    for suffix in _SEVERITIES:
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)]
    return keyword


def reasons(keywords: Iterable[str]) -> frozenset[str]:
    return frozenset(base_reason(k) for k in keywords if k and k != "none")


def interpret(
    printer_state: int | None, accepting: bool | None, keywords: Iterable[str]
) -> QueueReading:
    """One reading from the printer (or queue) state, whether it accepts jobs, and reasons."""
    found = reasons(keywords)
    supply = Supply.OUT if found & MEDIA_OUT else Supply.LOW if found & MEDIA_LOW else Supply.FULL
    cover = Cover.OPEN if found & DOOR else Cover.CLOSED
    if found & JAM:
        return QueueReading(DeviceState.ERROR, supply, cover, "paper jam")
    problems = []
    if cover is Cover.OPEN:
        problems.append("door open")
    if supply is Supply.OUT:
        problems.append("out of paper")
    if found & UNREACHABLE:
        problems.append("printer offline")
    if found & PAUSED or printer_state == PrinterState.STOPPED:
        problems.append("queue stopped")
    if accepting is False:
        problems.append("queue not accepting jobs")
    if problems:
        return QueueReading(DeviceState.OFFLINE, supply, cover, ", ".join(problems))
    if printer_state is None:
        return QueueReading(DeviceState.UNKNOWN, supply, cover, "no printer-state in the answer")
    busy = printer_state == PrinterState.PROCESSING
    return QueueReading(DeviceState.BUSY if busy else DeviceState.ONLINE, supply, cover, None)
