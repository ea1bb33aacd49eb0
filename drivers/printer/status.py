"""Reading the printer's own words: ``DLE EOT 1/2/4`` replies → the project's status model.

Every real-time status byte has bits 1 and 4 set and bits 0 and 7 clear (Epson ESC/POS,
``DLE EOT``); a reply that breaks that pattern is nonsense, and silence is ``unknown`` — never
"plenty of paper" as python-escpos 3.1 would say.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.base import Cover, DeviceState, Supply

PRINTER_STATUS = 1
OFFLINE_CAUSE = 2
PAPER_SENSOR = 4
QUERIES = (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR)

FIXED_MASK = 0b1001_0011
FIXED_VALUE = 0b0001_0010

OFFLINE_BIT = 0x08  # DLE EOT 1, bit 3
COVER_OPEN_BIT = 0x04  # DLE EOT 2, bit 2
PAPER_END_STOP_BIT = 0x20  # DLE EOT 2, bit 5: printing stopped at paper end
ERROR_BIT = 0x40  # DLE EOT 2, bit 6
NEAR_END_BITS = 0x0C  # DLE EOT 4, bits 2-3
PAPER_OUT_BITS = 0x60  # DLE EOT 4, bits 5-6


@dataclass(frozen=True)
class StatusReading:
    """What one round of queries says, before it is stamped into a ``DeviceStatus``."""

    state: DeviceState
    supply: Supply
    cover: Cover
    problem: str | None


def is_status_byte(reply: bytes) -> bool:
    return len(reply) == 1 and reply[0] & FIXED_MASK == FIXED_VALUE


def interpret(replies: dict[int, bytes]) -> StatusReading:
    """Combine the replies to ``DLE EOT n`` (``b""`` = no reply) into one reading."""
    if not any(replies.values()):
        return StatusReading(
            DeviceState.UNKNOWN, Supply.UNKNOWN, Cover.UNKNOWN, "no reply to DLE EOT"
        )
    bad = [n for n, reply in replies.items() if reply and not is_status_byte(reply)]
    if bad:
        detail = ", ".join(f"DLE EOT {n} -> {replies[n][:8].hex(' ')}" for n in bad)
        return StatusReading(
            DeviceState.ERROR, Supply.UNKNOWN, Cover.UNKNOWN, f"nonsense reply: {detail}"
        )

    printer = _byte(replies.get(PRINTER_STATUS))
    cause = _byte(replies.get(OFFLINE_CAUSE))
    paper = _byte(replies.get(PAPER_SENSOR))

    cover = (
        Cover.UNKNOWN if cause is None else Cover.OPEN if cause & COVER_OPEN_BIT else Cover.CLOSED
    )
    supply = _supply(paper, cause)
    problems = []
    if cover is Cover.OPEN:
        problems.append("cover open")
    if supply is Supply.OUT:
        problems.append("paper out")

    if cause is not None and cause & ERROR_BIT:
        return StatusReading(DeviceState.ERROR, supply, cover, "printer reports an error")
    if (printer is not None and printer & OFFLINE_BIT) or problems:
        return StatusReading(DeviceState.OFFLINE, supply, cover, ", ".join(problems) or "offline")
    if printer is None:
        return StatusReading(DeviceState.UNKNOWN, supply, cover, "no reply to DLE EOT 1")
    return StatusReading(DeviceState.ONLINE, supply, cover, None)


def _byte(reply: bytes | None) -> int | None:
    return reply[0] if reply else None


def _supply(paper: int | None, cause: int | None) -> Supply:
    if paper is not None:
        if paper & PAPER_OUT_BITS:
            return Supply.OUT
        if paper & NEAR_END_BITS:
            return Supply.LOW
        return Supply.FULL
    if cause is not None and cause & PAPER_END_STOP_BIT:
        return Supply.OUT
    return Supply.UNKNOWN
