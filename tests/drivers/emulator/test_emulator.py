"""The emulator's own behaviour: status replies, receipts, paper running out, PNG output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drivers.emulator import PaperState, PrinterEmulator, ReplyMode
from drivers.emulator.emulator import KEPT_RECEIPTS

pytestmark = pytest.mark.in_process

QUERIES = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


@pytest.mark.parametrize(
    ("paper", "cover_open", "expected"),
    [
        (PaperState.FULL, False, b"\x12\x12\x12\x12"),
        (PaperState.NEAR_END, False, b"\x12\x12\x12\x1e"),
        (PaperState.OUT, False, b"\x1a\x32\x12\x7e"),
        (PaperState.FULL, True, b"\x1a\x16\x12\x12"),
    ],
)
def test_status_replies(paper: PaperState, cover_open: bool, expected: bytes) -> None:
    emulator = PrinterEmulator(paper=paper, cover_open=cover_open)
    assert emulator.feed(QUERIES) == expected


def test_silent_and_garbage_modes() -> None:
    emulator = PrinterEmulator(reply=ReplyMode.SILENT)
    assert emulator.feed(QUERIES) == b""
    emulator.set_reply_mode(ReplyMode.GARBAGE)
    assert emulator.feed(b"\x10\x04\x01") == b"\xff\xa5"
    assert emulator.status_queries == 5


def test_receipt_ends_at_cut_and_keeps_text(tmp_path: Path) -> None:
    emulator = PrinterEmulator(384, tmp_path)
    emulator.feed(b"\x1b@Hello\nWorld\n\x1dVA\x00after")
    emulator.connection_closed()
    first, second = emulator.receipts
    assert (first.lines, first.ended_by, first.complete) == (("Hello", "World"), "cut", True)
    assert (second.lines, second.ended_by) == (("after",), "close")
    assert first.png_path == tmp_path / "receipt-0001.png"
    with Image.open(first.png_path) as png:
        assert png.width == 384


def test_only_the_newest_receipts_stay_in_memory_and_numbering_goes_on(tmp_path: Path) -> None:
    """A demo kiosk prints for days: its simulated printer must not hold every page drawn."""
    emulator = PrinterEmulator(384, tmp_path)
    printed = KEPT_RECEIPTS + 3
    for number in range(1, printed + 1):
        emulator.feed(f"ticket {number}\n".encode() + b"\x1dVA\x00")
    kept = emulator.wait_for_receipts(printed)  # counts every receipt, the dropped ones too
    assert len(kept) == KEPT_RECEIPTS
    assert (kept[0].number, kept[-1].number) == (4, printed)
    assert kept[-1].lines == (f"ticket {printed}",)
    assert kept[-1].png_path == tmp_path / f"receipt-{printed:04d}.png"
    assert (tmp_path / "receipt-0001.png").exists()  # dropped from memory, not from disk


def test_nothing_printed_means_no_receipt() -> None:
    emulator = PrinterEmulator()
    emulator.feed(b"\x1b@\x1bd\x05\x1dVA\x00")
    emulator.connection_closed()
    assert emulator.receipts == []


def test_long_line_wraps_at_the_paper_edge() -> None:
    emulator = PrinterEmulator(384)
    emulator.feed(b"x" * 40 + b"\n")
    assert emulator.finish() is not None
    assert emulator.receipts[0].lines == ("x" * 32, "x" * 8)


def test_bold_and_double_size_really_print_darker_and_larger() -> None:
    emulator = PrinterEmulator(576)
    emulator.feed(b"I\n\x1bE\x01I\n\x1bE\x00\x1d!\x11I\n")
    receipt = emulator.finish()
    assert receipt is not None
    ink = np.asarray(receipt.image) == 0
    plain, bold, big = ink[0:30], ink[30:60], ink[60:]
    assert bold.sum() > plain.sum()
    assert big.sum() > 3 * plain.sum()
    assert np.nonzero(big.any(axis=0))[0].max() >= 12  # twice the 12-dot cell width


def test_runs_out_after_lines_and_drops_the_rest() -> None:
    emulator = PrinterEmulator()
    emulator.run_out_after(lines=2)
    emulator.feed(b"one\ntwo\nthree\nfour\n\x1dVA\x00")
    assert emulator.paper is PaperState.OUT
    (receipt,) = emulator.receipts
    assert receipt.lines == ("one", "two")
    assert (receipt.complete, receipt.ended_by) == (False, "paper out")
    assert emulator.discarded_ops > 0
    assert emulator.feed(b"\x10\x04\x04") == b"\x7e"


def test_runs_out_after_bytes_mid_line() -> None:
    emulator = PrinterEmulator()
    emulator.run_out_after(bytes_=6)
    emulator.feed(b"abcd\nefgh\n")
    (receipt,) = emulator.receipts
    assert receipt.lines == ("abcd",)
    assert not receipt.complete
    emulator.set_paper(PaperState.FULL)
    emulator.feed(b"again\n\x1dVA\x00")
    assert emulator.receipts[-1].lines == ("again",)


def test_cover_open_prints_nothing() -> None:
    emulator = PrinterEmulator(cover_open=True)
    emulator.feed(b"secret\n\x1dVA\x00")
    assert emulator.receipts == []
    emulator.set_cover(False)
    emulator.feed(b"ok\n\x1dVA\x00")
    assert [r.lines for r in emulator.receipts] == [("ok",)]


def test_raster_lands_where_aligned() -> None:
    emulator = PrinterEmulator(384)
    emulator.feed(b"\x1ba\x02\x1dv0\x00\x01\x00\x01\x00\xff")
    receipt = emulator.finish()
    assert receipt is not None
    row = np.asarray(receipt.image)[0]
    assert (row[-8:] == 0).all() and (row[:-8] == 255).all()


def test_wait_for_receipts_times_out_clearly() -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        PrinterEmulator().wait_for_receipts(1, timeout=0.05)
