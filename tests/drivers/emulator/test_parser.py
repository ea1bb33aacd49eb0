"""The ESC/POS parser: commands split anywhere, garbage skipped and counted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.emulator import parser as p
from drivers.printer import PROFILE_58MM, PROFILE_80MM, Receipt
from drivers.printer.render import render

pytestmark = pytest.mark.in_process

STREAM = (
    b"\x1b@\x1b!\x38Big\n\x1bE\x01\x1b-\x01\x1ba\x02Right\n\x1d!\x21W\n"
    + b"\x1dv0\x00\x01\x00\x02\x00\xff\x0f"
    + b"\x1d(k\x03\x001C\x05\x1d(k\x06\x001P0abc\x1d(k\x03\x001Q0"
    + b"\x10\x04\x04\x1bd\x03\x1dVA\x05"
)

EXPECTED: list[p.Op] = [
    p.Init(),
    p.Style(bold=True, underline=False, width=2, height=2),
    p.Text(b"Big"),
    p.Newline(),
    p.Style(bold=True),
    p.Style(underline=True),
    p.Style(align=2),
    p.Text(b"Right"),
    p.Newline(),
    p.Style(width=3, height=2),
    p.Text(b"W"),
    p.Newline(),
    p.Raster(1, 2, b"\xff\x0f", 1, 1),
    p.QrSetting(module_dots=5),
    p.QrStore(b"abc"),
    p.QrPrint(),
    p.StatusQuery(4),
    p.FeedLines(3),
    p.FeedDots(5),
    p.Cut(partial=False),
]


def _merge_text(ops: list[p.Op]) -> list[p.Op]:
    """Byte-at-a-time feeding splits text runs; join them to compare with the whole feed."""
    merged: list[p.Op] = []
    for op in ops:
        if isinstance(op, p.Text) and merged and isinstance(merged[-1], p.Text):
            merged[-1] = p.Text(merged[-1].data + op.data)
        else:
            merged.append(op)
    return merged


def test_whole_stream() -> None:
    parser = p.EscPosParser()
    assert parser.feed(STREAM) == EXPECTED
    assert parser.garbage_bytes == 0


def test_byte_at_a_time_gives_the_same_operations() -> None:
    parser = p.EscPosParser()
    ops = [op for i in range(len(STREAM)) for op in parser.feed(STREAM[i : i + 1])]
    assert _merge_text(ops) == EXPECTED


def test_garbage_is_counted_and_printing_goes_on() -> None:
    parser = p.EscPosParser()
    ops = parser.feed(b"\x00\x01\x1b\xfe\x1d\xfe\x10\x04\x09ok\n")
    assert ops == [p.Text(b"ok"), p.Newline()]
    assert parser.garbage_bytes == 2 + 2 + 2 + 3


def test_known_commands_are_skipped_by_length() -> None:
    parser = p.EscPosParser()
    ops = parser.feed(b"\x1bt\x10\x1b3\x40\x1b2\x1dH\x02\x1dL\x00\x00\x1b*\x00\x02\x00\xaa\xbbok")
    assert ops == [p.Text(b"ok")]
    assert parser.garbage_bytes == 0
    assert parser.skipped_commands == 6


def test_absurd_raster_header_is_not_buffered() -> None:
    parser = p.EscPosParser()
    assert parser.feed(b"\x1dv0\x00\xff\xff\xff\xffok") == [p.Text(b"ok")]
    assert parser.garbage_bytes == 8


def test_native_barcode_both_forms() -> None:
    parser = p.EscPosParser()
    ops = parser.feed(b"\x1dk\x04AB12\x00\x1dkI\x03XYZ")
    assert ops == [p.NativeBarcode(b"AB12"), p.NativeBarcode(b"XYZ")]


def test_renderer_output_parses_without_garbage() -> None:
    receipt = Receipt().title("T").big_number("A-1").qr("q").barcode("B1").pair("a", "b").cut()
    for profile in (PROFILE_58MM, PROFILE_80MM):
        parser = p.EscPosParser()
        parser.feed(render(receipt, profile).data)
        assert parser.garbage_bytes == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=8))
def test_random_bytes_never_raise(chunks: list[bytes]) -> None:
    parser = p.EscPosParser()
    for chunk in chunks:
        for op in parser.feed(chunk):
            assert isinstance(op, p.Op)
    parser.reset()
