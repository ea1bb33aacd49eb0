"""The ESC/POS printer emulator: parses what a driver sends, draws receipts, answers status.

It is the ``simulated`` printer (in-process) and, behind ``drivers.emulator.server``, the TCP
and pty printer that technicians and the tests talk to. Faults are switches: paper full /
near-end / out, cover open, silence or nonsense to ``DLE EOT``, and paper that runs out after
N lines or bytes so a receipt fails half-way for real.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import qrcode
from PIL import Image
from qrcode import constants as qr_constants
from qrcode.exceptions import DataOverflowError

from drivers.emulator import parser as p
from drivers.emulator.paper import LINE_DOTS, CharStyle, Paper

log = logging.getLogger(__name__)

KEPT_RECEIPTS = 20
"""Receipts held in memory, newest last. Each holds its drawn page (some 0.4 MB), and the
simulated printer of a demo kiosk runs for days: bench/ui.py's journeys saw every receipt stay
on the app's memory. Older ones are dropped (their PNGs, when ``out_dir`` is set, stay)."""

GARBAGE_REPLY = b"\xff\xa5"
"""What the garbage mode answers: breaks the fixed bits every real status byte has."""
_QR_ECC = {
    48: qr_constants.ERROR_CORRECT_L,
    49: qr_constants.ERROR_CORRECT_M,
    50: qr_constants.ERROR_CORRECT_Q,
    51: qr_constants.ERROR_CORRECT_H,
}


class PaperState(enum.StrEnum):
    FULL = "full"
    NEAR_END = "near-end"
    OUT = "out"


class ReplyMode(enum.StrEnum):
    NORMAL = "normal"
    SILENT = "silent"
    GARBAGE = "garbage"


@dataclass(frozen=True, eq=False)
class EmulatedReceipt:
    """One receipt as it came out of the printer. ``complete`` is False when paper ran out."""

    number: int
    lines: tuple[str, ...]
    qr_codes: tuple[str, ...]
    barcodes: tuple[str, ...]
    image: Image.Image
    png_path: Path | None
    complete: bool
    ended_by: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def width(self) -> int:
        return self.image.width


@dataclass
class _Style:
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    align: int = 0
    qr_module: int = 3
    qr_ecc: int = 49


class PrinterEmulator:
    """Thread-safe: a server thread feeds bytes while a test flips switches and reads receipts."""

    def __init__(
        self,
        width: int = 576,
        out_dir: Path | None = None,
        *,
        paper: PaperState = PaperState.FULL,
        cover_open: bool = False,
        reply: ReplyMode = ReplyMode.NORMAL,
        on_receipt: Callable[[EmulatedReceipt], None] | None = None,
    ) -> None:
        self.width = width
        self._on_receipt = on_receipt
        self.out_dir = out_dir
        self._lock = threading.Condition()
        self._parser = p.EscPosParser()
        self._paper_state = paper
        self._cover_open = cover_open
        self._reply = reply
        self._lines_left: int | None = None
        self._bytes_left: int | None = None
        self._receipts: deque[EmulatedReceipt] = deque(maxlen=KEPT_RECEIPTS)
        self._printed = 0  # every receipt finished, the dropped ones included
        self._style = _Style()
        self._qr_data = b""
        self._new_page()
        self.discarded_ops = 0
        self.status_queries = 0

    # -- control surface --------------------------------------------------------------------

    def set_paper(self, state: PaperState) -> None:
        with self._lock:
            self._paper_state = state
            if state is not PaperState.OUT:
                self._lines_left = self._bytes_left = None

    def set_cover(self, open_: bool) -> None:
        with self._lock:
            self._cover_open = open_

    def set_reply_mode(self, mode: ReplyMode) -> None:
        with self._lock:
            self._reply = mode

    def run_out_after(self, *, lines: int | None = None, bytes_: int | None = None) -> None:
        """Let the roll end after ``lines`` more printed lines or ``bytes_`` more bytes."""
        with self._lock:
            self._lines_left, self._bytes_left = lines, bytes_

    @property
    def paper(self) -> PaperState:
        return self._paper_state

    @property
    def cover_open(self) -> bool:
        return self._cover_open

    @property
    def garbage_bytes(self) -> int:
        return self._parser.garbage_bytes

    @property
    def receipts(self) -> list[EmulatedReceipt]:
        """The newest ``KEPT_RECEIPTS`` receipts, oldest first."""
        with self._lock:
            return list(self._receipts)

    def wait_for_receipts(self, count: int, timeout: float = 5.0) -> list[EmulatedReceipt]:
        """Block until at least ``count`` receipts were printed (server threads finish them)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._printed < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self._printed} of {count} receipts after {timeout} s")
                self._lock.wait(remaining)
            return list(self._receipts)

    # -- the byte stream ----------------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Process bytes from the host; return what the printer answers."""
        with self._lock:
            replies = bytearray()
            if self._bytes_left is not None and self._printing:
                head, data = data[: self._bytes_left], data[self._bytes_left :]
                self._bytes_left -= len(head)
                self._run(head, replies)
                if self._bytes_left == 0:
                    self._paper_ran_out()
            self._run(data, replies)
            return bytes(replies)

    def connection_closed(self) -> None:
        """The host hung up: a half-sent command is dropped, a started receipt is finished."""
        with self._lock:
            self._parser.reset()
            self._finish("close", complete=True)

    def finish(self) -> EmulatedReceipt | None:
        """End the current receipt now (a 58 mm job without a cutter has no natural end)."""
        with self._lock:
            return self._finish("finish", complete=True)

    # -- internals (lock held) ------------------------------------------------------------------

    @property
    def _printing(self) -> bool:
        return self._paper_state is not PaperState.OUT and not self._cover_open

    def _new_page(self) -> None:
        self._page = Paper(self.width)
        self._lines: list[str] = []
        self._qr_codes: list[str] = []
        self._barcodes: list[str] = []

    def _run(self, data: bytes, replies: bytearray) -> None:
        for op in self._parser.feed(data):
            if isinstance(op, p.StatusQuery):
                replies += self._status_reply(op.n)
            elif isinstance(op, p.Init):
                if self._page.inked:
                    self._finish("init", complete=True)
                self._style = _Style()
            elif isinstance(op, p.Style | p.QrSetting | p.QrStore):
                self._set(op)
            elif self._printing:
                self._print(op)
            else:
                self.discarded_ops += 1

    def _set(self, op: p.Style | p.QrSetting | p.QrStore) -> None:
        style = self._style
        if isinstance(op, p.QrStore):
            self._qr_data = op.data
        elif isinstance(op, p.QrSetting):
            style.qr_module = op.module_dots or style.qr_module
            style.qr_ecc = op.ecc or style.qr_ecc
        else:
            style.bold = style.bold if op.bold is None else op.bold
            style.underline = style.underline if op.underline is None else op.underline
            style.width = op.width or style.width
            style.height = op.height or style.height
            style.align = style.align if op.align is None else op.align

    def _print(self, op: p.Op) -> None:  # noqa: PLR0912 - one branch per printing operation
        page, style = self._page, self._style
        if isinstance(op, p.Text):
            char_style = CharStyle(style.bold, style.underline, style.width, style.height)
            for char in op.data.decode("cp437"):
                if not self._printing:
                    break
                wrapped = page.add_char(char, char_style, style.align)
                if wrapped is not None:
                    self._line_done(wrapped)
        elif isinstance(op, p.Newline):
            self._line_done(page.print_line(style.align))
        elif isinstance(op, p.FeedLines):
            if page.line_pending:
                self._line_done(page.print_line(style.align))
            for _ in range(op.lines):
                if not self._printing:
                    break
                page.feed(LINE_DOTS)
                self._line_done(None)
        elif isinstance(op, p.FeedDots):
            if page.line_pending:
                self._line_done(page.print_line(style.align))
            page.feed(op.dots)
        elif isinstance(op, p.Raster):
            self._flush_line()
            bits = np.unpackbits(np.frombuffer(op.data, np.uint8)).reshape(
                op.rows, op.width_bytes * 8
            )
            ink = np.repeat(np.repeat(bits.astype(bool), op.scale_y, axis=0), op.scale_x, axis=1)
            page.image(ink, style.align)
        elif isinstance(op, p.QrPrint):
            self._flush_line()
            self._print_qr()
        elif isinstance(op, p.NativeBarcode):
            self._flush_line()
            self._barcodes.append(op.data.decode("ascii", "replace"))
        elif isinstance(op, p.Cut):
            self._finish("cut", complete=True)

    def _flush_line(self) -> None:
        if self._page.line_pending:
            self._line_done(self._page.print_line(self._style.align))

    def _print_qr(self) -> None:
        if not self._qr_data:
            return
        code = qrcode.QRCode(
            error_correction=_QR_ECC.get(self._style.qr_ecc, qr_constants.ERROR_CORRECT_M),
            box_size=1,
            border=0,
        )
        code.add_data(self._qr_data, optimize=0)
        try:
            code.make(fit=True)
        except DataOverflowError:  # too long for any QR version: the printer prints nothing
            log.warning("emulator: QR data of %d bytes does not fit a symbol", len(self._qr_data))
            return
        module = max(1, min(16, self._style.qr_module))
        matrix = np.array(code.get_matrix(), dtype=bool)
        self._page.image(np.kron(matrix, np.ones((module, module), dtype=bool)), self._style.align)
        self._qr_codes.append(self._qr_data.decode("utf-8", "replace"))

    def _line_done(self, text: str | None) -> None:
        """Count one line of paper; the roll may end here."""
        if text is not None:
            self._lines.append(text.rstrip())
        if self._lines_left is not None:
            self._lines_left -= 1
            if self._lines_left <= 0:
                self._paper_ran_out()

    def _paper_ran_out(self) -> None:
        self._paper_state = PaperState.OUT
        self._lines_left = self._bytes_left = None
        self._finish("paper out", complete=False)

    def _finish(self, ended_by: str, *, complete: bool) -> EmulatedReceipt | None:
        self._flush_line_silently()
        page = self._page
        if not page.inked:
            self._new_page()
            return None
        image = page.to_image()
        self._printed += 1
        number = self._printed
        png_path = None
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            png_path = self.out_dir / f"receipt-{number:04d}.png"
            image.save(png_path)
        receipt = EmulatedReceipt(
            number,
            tuple(self._lines),
            tuple(self._qr_codes),
            tuple(self._barcodes),
            image,
            png_path,
            complete,
            ended_by,
        )
        self._receipts.append(receipt)
        self._new_page()
        self._lock.notify_all()
        if self._on_receipt is not None:
            try:
                self._on_receipt(receipt)
            except Exception:
                log.exception("emulator: receipt callback failed")
        return receipt

    def _flush_line_silently(self) -> None:
        """A receipt ending mid-line still shows that line (but the roll does not move on)."""
        if self._page.line_pending and self._printing:
            self._lines.append(self._page.print_line(self._style.align).rstrip())

    def _status_reply(self, n: int) -> bytes:
        self.status_queries += 1
        if self._reply is ReplyMode.SILENT:
            return b""
        if self._reply is ReplyMode.GARBAGE:
            return GARBAGE_REPLY
        out = self._paper_state is PaperState.OUT
        value = 0x12
        if n == 1 and (out or self._cover_open):
            value |= 0x08
        elif n == 2:
            value |= (0x04 if self._cover_open else 0) | (0x20 if out else 0)
        elif n == 4:
            value |= (0x0C if self._paper_state is not PaperState.FULL else 0) | (
                0x60 if out else 0
            )
        return bytes([value])
