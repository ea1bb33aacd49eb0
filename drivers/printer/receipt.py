"""The Receipt document: what the kiosk wants on paper, with no ESC/POS in sight.

The kiosk core builds receipts; only the renderer knows printer commands. Keeping the model
free of bytes means a receipt can be rendered for a 58 mm or an 80 mm printer, previewed, or
reprinted unchanged after the paper ran out.

Build one by chaining::

    receipt = (
        Receipt()
        .title("KANTOR DESA BLIMBINGSARI")
        .text("Nomor antrian", align=Align.CENTER)
        .big_number("A-012")
        .pair("Tanggal", "12-05-2025 09:14")
        .rule()
        .qr("https://desa.example.id/lacak/K7QF-2M9A")
        .cut()
    )
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image as PILImage


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


MAX_MAGNIFICATION = 8
"""ESC/POS character magnification goes from 1 to 8 in each direction (``GS !``)."""


@dataclass(frozen=True)
class TextLine:
    """A paragraph of text; the renderer wraps it to the paper's columns."""

    text: str
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    align: Align = Align.LEFT

    def __post_init__(self) -> None:
        for name, value in (("width", self.width), ("height", self.height)):
            if not 1 <= value <= MAX_MAGNIFICATION:
                raise ValueError(f"text {name} must be 1..{MAX_MAGNIFICATION}, got {value}")


@dataclass(frozen=True)
class Pair:
    """A label on the left and its value on the right of one line (``Tanggal ... 12-05-2025``)."""

    label: str
    value: str


@dataclass(frozen=True)
class Rule:
    """A full-width separator line made of ``char``."""

    char: str = "-"

    def __post_init__(self) -> None:
        if len(self.char) != 1:
            raise ValueError("a rule is drawn with exactly one character")


@dataclass(frozen=True)
class BigNumber:
    """A queue ticket number: centred, bold, as large as the paper allows (up to 4x)."""

    text: str


@dataclass(frozen=True)
class QrCode:
    """A QR code, native where the printer has it and a raster image where it has not.

    ``module_dots`` is the side of one QR module in printer dots; the renderer shrinks it when
    the code would not fit the paper.
    """

    data: str
    module_dots: int = 6

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("a QR code needs data")
        if not 1 <= self.module_dots <= 16:
            raise ValueError("QR module size must be 1..16 dots")


@dataclass(frozen=True)
class Barcode:
    """A Code 128 barcode, drawn as a raster so every printer prints the same bars."""

    data: str
    height_dots: int = 80
    module_dots: int = 2
    show_text: bool = True

    def __post_init__(self) -> None:
        if not self.data or not self.data.isascii() or not self.data.isprintable():
            raise ValueError("Code 128 data must be printable ASCII")
        if not 1 <= self.height_dots <= 255 or not 1 <= self.module_dots <= 6:
            raise ValueError("barcode height must be 1..255 dots and module 1..6 dots")


@dataclass(frozen=True, eq=False)
class Picture:
    """A picture (logo, signature); scaled down to the paper width and dithered to 1 bit."""

    image: PILImage.Image
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.lines <= 255:
            raise ValueError("feed must be 1..255 lines")


@dataclass(frozen=True)
class Cut:
    """End of the receipt: a cut where the printer has a cutter, a tear-off feed where not."""

    partial: bool = False


Block = TextLine | Pair | Rule | BigNumber | QrCode | Barcode | Picture | Feed | Cut


@dataclass
class Receipt:
    """An ordered list of blocks, with chainable helpers so building one reads like the slip."""

    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Receipt:
        self.blocks.append(block)
        return self

    def text(
        self,
        text: str,
        *,
        bold: bool = False,
        underline: bool = False,
        size: int | tuple[int, int] = 1,
        align: Align = Align.LEFT,
    ) -> Receipt:
        """Add text; ``size`` is one magnification or ``(width, height)``."""
        width, height = (size, size) if isinstance(size, int) else size
        return self.add(TextLine(text, bold, underline, width, height, align))

    def title(self, text: str) -> Receipt:
        """A bold, double-height, centred heading."""
        return self.text(text, bold=True, size=(1, 2), align=Align.CENTER)

    def pair(self, label: str, value: str) -> Receipt:
        return self.add(Pair(label, value))

    def rule(self, char: str = "-") -> Receipt:
        return self.add(Rule(char))

    def big_number(self, text: str) -> Receipt:
        return self.add(BigNumber(text))

    def qr(self, data: str, *, module_dots: int = 6) -> Receipt:
        return self.add(QrCode(data, module_dots))

    def barcode(self, data: str, *, height_dots: int = 80, show_text: bool = True) -> Receipt:
        return self.add(Barcode(data, height_dots=height_dots, show_text=show_text))

    def picture(self, image: PILImage.Image, *, align: Align = Align.CENTER) -> Receipt:
        return self.add(Picture(image, align))

    def feed(self, lines: int = 1) -> Receipt:
        return self.add(Feed(lines))

    def cut(self, *, partial: bool = False) -> Receipt:
        return self.add(Cut(partial))
