"""DLE EOT replies → status: one row per bit pattern, plus silence and nonsense."""

from __future__ import annotations

import pytest

from drivers.base import Cover, DeviceState, Supply
from drivers.printer.status import interpret, is_status_byte

pytestmark = pytest.mark.in_process

S = DeviceState
U = Supply
C = Cover


def _r(printer: bytes, cause: bytes = b"", paper: bytes = b"") -> dict[int, bytes]:
    return {1: printer, 2: cause, 4: paper}


@pytest.mark.parametrize(
    ("replies", "state", "supply", "cover", "problem"),
    [
        (_r(b"\x12", b"\x12", b"\x12"), S.ONLINE, U.FULL, C.CLOSED, None),
        (_r(b"\x12", b"\x12", b"\x1e"), S.ONLINE, U.LOW, C.CLOSED, None),  # near-end bits 2-3
        (_r(b"\x12", b"\x12", b"\x16"), S.ONLINE, U.LOW, C.CLOSED, None),  # only bit 2 set
        (_r(b"\x1a", b"\x32", b"\x7e"), S.OFFLINE, U.OUT, C.CLOSED, "paper out"),
        (_r(b"\x1a", b"\x32", b"\x72"), S.OFFLINE, U.OUT, C.CLOSED, "paper out"),  # end bits only
        (_r(b"\x1a", b"\x16", b"\x12"), S.OFFLINE, U.FULL, C.OPEN, "cover open"),
        (_r(b"\x1a", b"\x36", b"\x7e"), S.OFFLINE, U.OUT, C.OPEN, "cover open, paper out"),
        (_r(b"\x1a", b"\x12", b"\x12"), S.OFFLINE, U.FULL, C.CLOSED, "offline"),
        (_r(b"\x12", b"\x52", b"\x12"), S.ERROR, U.FULL, C.CLOSED, "printer reports an error"),
        (_r(b"", b"", b""), S.UNKNOWN, U.UNKNOWN, C.UNKNOWN, "no reply to DLE EOT"),
        (_r(b"\x12", b""), S.ONLINE, U.UNKNOWN, C.UNKNOWN, None),  # answers n=1 only
        (_r(b"\x12", b"\x32", b""), S.OFFLINE, U.OUT, C.CLOSED, "paper out"),  # paper-end stop
        (_r(b"", b"\x12", b"\x12"), S.UNKNOWN, U.FULL, C.CLOSED, "no reply to DLE EOT 1"),
    ],
)
def test_reply_table(
    replies: dict[int, bytes],
    state: DeviceState,
    supply: Supply,
    cover: Cover,
    problem: str | None,
) -> None:
    reading = interpret(replies)
    assert (reading.state, reading.supply, reading.cover, reading.problem) == (
        state,
        supply,
        cover,
        problem,
    )


@pytest.mark.parametrize("reply", [b"\xff\xa5", b"\x00", b"\x13", b"\x92", b"\x12\x12", b"OK"])
def test_nonsense_is_an_error_not_a_guess(reply: bytes) -> None:
    reading = interpret(_r(b"\x12", reply, b"\x12"))
    assert reading.state is S.ERROR
    assert reading.supply is U.UNKNOWN and reading.cover is C.UNKNOWN
    assert reading.problem is not None and "DLE EOT 2" in reading.problem


def test_fixed_bits() -> None:
    assert all(is_status_byte(bytes([b])) for b in (0x12, 0x1A, 0x7E, 0x16, 0x72))
    assert not any(is_status_byte(bytes([b])) for b in (0x00, 0x10, 0x02, 0x13, 0x92, 0xFF))
