"""Receipt + profile → ESC/POS bytes. Pure: no I/O, no clock, so tests can pin exact bytes.

The output is one chunk per receipt block so the driver can send a job block by block, check
the printer between blocks and say exactly how far a failed job got.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass

import barcode  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import qrcode
from PIL import Image, ImageOps
from qrcode.constants import ERROR_CORRECT_M

from drivers.printer import commands as cmd
from drivers.printer.errors import RenderError
from drivers.printer.profile import PrinterProfile
from drivers.printer.receipt import (
    Align,
    Barcode,
    BigNumber,
    Block,
    Cut,
    Feed,
    Pair,
    Picture,
    QrCode,
    Receipt,
    Rule,
    TextLine,
)

QR_QUIET_MODULES = 4
BARCODE_QUIET_MODULES = 10
TEAR_OFF_LINES = 3
"""Without a cutter, feed far enough that the last line clears the tear bar."""
BIG_NUMBER_MAX = 4

_ALIGN_CODE = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}


@dataclass(frozen=True)
class RenderedReceipt:
    """``prefix`` resets the printer; ``chunks[i]`` prints ``receipt.blocks[i]``."""

    prefix: bytes
    chunks: tuple[bytes, ...]

    @property
    def data(self) -> bytes:
        return self.prefix + b"".join(self.chunks)


def render(receipt: Receipt, profile: PrinterProfile) -> RenderedReceipt:
    renderer = _Renderer(profile)
    chunks = tuple(renderer.block(block) for block in receipt.blocks)
    return RenderedReceipt(cmd.INIT, chunks)


def encode_text(text: str) -> bytes:
    """Code page 437 bytes for ``text``; accents are stripped, the rest becomes ``?``.

    Control characters become spaces: text comes from residents and the centre, and a stray
    ESC or GS in a name must never turn into a printer command.
    """
    out = bytearray()
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        if char < " " or char == "\x7f":
            out += b" "
            continue
        try:
            out += char.encode("cp437")
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` characters; explicit newlines are kept, blank lines too."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, columns, break_long_words=True) or [""])
    return lines


def pack_bits(dots: npt.NDArray[np.bool_]) -> tuple[int, int, bytes]:
    """Rows of booleans (True = black) → ``(width_bytes, rows, raster data)``."""
    rows, _ = dots.shape
    packed = np.packbits(dots, axis=1)
    return packed.shape[1], rows, packed.tobytes()


@dataclass
class _Style:
    align: int = 0
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1


class _Renderer:
    """Tracks the printer's style state so each setting is sent only when it changes."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.state = _Style()

    def style(self, wanted: _Style) -> bytes:
        out = b""
        if wanted.align != self.state.align:
            out += cmd.align(wanted.align)
        if wanted.bold != self.state.bold:
            out += cmd.bold(wanted.bold)
        if wanted.underline != self.state.underline:
            out += cmd.underline(wanted.underline)
        if (wanted.width, wanted.height) != (self.state.width, self.state.height):
            out += cmd.char_size(wanted.width, wanted.height)
        self.state = wanted
        return out

    def block(self, block: Block) -> bytes:  # noqa: PLR0911 - one branch per block kind
        match block:
            case TextLine():
                return self.text(block)
            case Pair():
                return self.pair(block)
            case Rule():
                return self.plain_line(block.char * self.profile.columns)
            case BigNumber():
                return self.big_number(block)
            case QrCode():
                return self.qr(block)
            case Barcode():
                return self.barcode(block)
            case Picture():
                return self.picture(block)
            case Feed():
                return cmd.feed_lines(block.lines)
            case Cut():
                if self.profile.has_cutter:
                    return cmd.cut(block.partial)
                return cmd.feed_lines(TEAR_OFF_LINES)

    def text(self, line: TextLine) -> bytes:
        wanted = _Style(_ALIGN_CODE[line.align], line.bold, line.underline, line.width, line.height)
        out = self.style(wanted)
        for piece in wrap(line.text, max(1, self.profile.columns // line.width)):
            out += encode_text(piece) + b"\n"
        return out

    def plain_line(self, text: str) -> bytes:
        return self.style(_Style()) + encode_text(text) + b"\n"

    def pair(self, pair: Pair) -> bytes:
        columns = self.profile.columns
        gap = columns - len(pair.label) - len(pair.value)
        if gap >= 1:
            return self.plain_line(pair.label + " " * gap + pair.value)
        out = b"".join(self.plain_line(piece) for piece in wrap(pair.label, columns))
        for piece in wrap(pair.value, columns):
            out += self.plain_line(piece.rjust(columns))
        return out

    def big_number(self, number: BigNumber) -> bytes:
        size = max(1, min(BIG_NUMBER_MAX, self.profile.columns // max(1, len(number.text))))
        return self.text(
            TextLine(number.text, bold=True, width=size, height=size, align=Align.CENTER)
        )

    def image(self, dots: npt.NDArray[np.bool_], align: Align) -> bytes:
        width_bytes, rows, data = pack_bits(dots)
        return self.style(_Style(align=_ALIGN_CODE[align])) + cmd.raster(width_bytes, rows, data)

    def qr(self, code: QrCode) -> bytes:
        data = code.data.encode("utf-8")
        if self.profile.native_qr:
            modules = _qr_version(data) * 4 + 17
            module_dots = _fit_module(code.module_dots, modules, self.profile.width_dots)
            centre = self.style(_Style(align=1))
            return centre + b"\n" + cmd.qr_native(data, module_dots) + b"\n"
        matrix = _qr_matrix(data)
        module_dots = _fit_module(code.module_dots, len(matrix), self.profile.width_dots)
        dots = np.kron(matrix, np.ones((module_dots, module_dots), dtype=bool))
        return self.image(dots, Align.CENTER)

    def barcode(self, code: Barcode) -> bytes:
        try:
            pattern = barcode.get("code128", code.data).build()[0]
        except Exception as err:  # python-barcode raises several unrelated types
            raise RenderError(f"cannot encode {code.data!r} as Code 128: {err}") from err
        quiet = "0" * BARCODE_QUIET_MODULES
        modules = np.frombuffer((quiet + pattern + quiet).encode(), dtype=np.uint8) == ord("1")
        module_dots = code.module_dots
        while module_dots > 1 and modules.size * module_dots > self.profile.width_dots:
            module_dots -= 1
        if modules.size * module_dots > self.profile.width_dots:
            raise RenderError(f"barcode {code.data!r} is wider than the {self.profile.name} paper")
        row = np.repeat(modules, module_dots)
        out = self.image(np.tile(row, (code.height_dots, 1)), Align.CENTER)
        if code.show_text:
            out += self.text(TextLine(code.data, align=Align.CENTER))
        return out

    def picture(self, picture: Picture) -> bytes:
        image = picture.image.convert("L")
        if image.width > self.profile.width_dots:
            height = max(1, round(image.height * self.profile.width_dots / image.width))
            image = image.resize((self.profile.width_dots, height), Image.Resampling.LANCZOS)
        ink = ImageOps.invert(image).convert("1")  # Floyd-Steinberg dither; 1 = black
        dots = np.asarray(ink, dtype=bool)
        return self.image(dots, picture.align)


QR_MASK_PATTERN = 2
"""A fixed mask: qrcode's search for the best of the eight costs ~5 ms of pure Python per
receipt (the 10 ms render budget), and every decoder reads any mask. The printed symbol is
checked end to end: the tests decode it back from the emulator's PNG with OpenCV."""


def _qr(data: bytes) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        border=QR_QUIET_MODULES,
        box_size=1,
        mask_pattern=QR_MASK_PATTERN,
    )
    code.add_data(data, optimize=0)
    return code


def _qr_version(data: bytes) -> int:
    """The symbol version the printer will choose (for sizing; nothing is drawn)."""
    code = _qr(data)
    code.best_fit()
    return int(code.version)


def _qr_matrix(data: bytes) -> npt.NDArray[np.bool_]:
    """The QR modules including the quiet zone, True = dark."""
    code = _qr(data)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def _fit_module(wanted: int, modules: int, width_dots: int) -> int:
    module = min(wanted, width_dots // modules)
    if module < 1:
        raise RenderError("QR data too long for the paper width")
    return module
