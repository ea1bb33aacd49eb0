"""The paper: a growing strip of dots at the printer's true width, drawn like a thermal head.

Text is laid out in 12 x 24 font-A cells (so columns line up exactly as on the printer) using
DejaVu Sans Mono when present, else Pillow's built-in font. Rows are numpy arrays, 0 = black
(burnt) and 255 = white, so the PNG is what the customer would hold.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

CELL_W, CELL_H = 12, 24
LINE_DOTS = 30
WHITE, BLACK = 255, 0
_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSansMono.ttf"),
)

Dots = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class CharStyle:
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1


@functools.cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_CANDIDATES:
        if path.exists():
            return ImageFont.truetype(str(path), 20)
    return ImageFont.load_default(size=20)


@functools.cache
def _glyph(char: str, bold: bool) -> Dots:
    cell = Image.new("L", (CELL_W, CELL_H), WHITE)
    draw = ImageDraw.Draw(cell)
    for dx in (0, 1) if bold else (0,):
        draw.text((dx, 1), char, fill=BLACK, font=_font())
    # A thermal dot is burnt or not: threshold the anti-aliased glyph like the head would.
    return np.where(np.asarray(cell) < 128, BLACK, WHITE).astype(np.uint8)


def glyph(char: str, style: CharStyle) -> Dots:
    cell = _glyph(char, style.bold)
    if style.underline:
        cell = cell.copy()
        cell[-2:, :] = BLACK
    if style.width > 1 or style.height > 1:
        cell = np.repeat(np.repeat(cell, style.height, axis=0), style.width, axis=1)
    return cell


class Paper:
    """Dot rows printed so far, plus the text line being assembled."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._rows: list[Dots] = []
        self._line: list[tuple[str, CharStyle]] = []
        self._line_width = 0
        self.inked = False

    @property
    def height(self) -> int:
        return sum(block.shape[0] for block in self._rows)

    @property
    def line_pending(self) -> bool:
        return bool(self._line)

    def add_char(self, char: str, style: CharStyle, align: int) -> str | None:
        """Queue one character; when the line was full it is printed first and returned."""
        wrapped = None
        cell_width = CELL_W * style.width
        if self._line_width + cell_width > self.width and self._line:
            wrapped = self.print_line(align)
        self._line.append((char, style))
        self._line_width += cell_width
        return wrapped

    def print_line(self, align: int) -> str:
        """Burn the queued line (or feed one empty line); returns its text."""
        text = "".join(char for char, _ in self._line)
        height = max((CELL_H * style.height for _, style in self._line), default=CELL_H)
        block = np.full((max(LINE_DOTS, height + LINE_DOTS - CELL_H), self.width), WHITE, np.uint8)
        x = _offset(align, self.width, self._line_width)
        for char, style in self._line:
            cell = glyph(char, style)
            right = min(self.width, x + cell.shape[1])
            if right > x:
                top = height - cell.shape[0]
                block[top : top + cell.shape[0], x:right] = cell[:, : right - x]
                self.inked = self.inked or char != " "
            x += cell.shape[1]
        self._rows.append(block)
        self._line.clear()
        self._line_width = 0
        return text

    def feed(self, dots: int) -> None:
        if dots > 0:
            self._rows.append(np.full((dots, self.width), WHITE, np.uint8))

    def image(self, ink: npt.NDArray[np.bool_], align: int) -> None:
        """Burn a bitmap (True = black), cropped to the paper width."""
        rows, width = ink.shape
        block = np.full((rows, self.width), WHITE, np.uint8)
        x = _offset(align, self.width, width)
        visible = ink[:, : self.width - x]
        block[:, x : x + visible.shape[1]][visible] = BLACK
        self._rows.append(block)
        self.inked = self.inked or bool(visible.any())

    def to_image(self) -> Image.Image:
        if not self._rows:
            return Image.new("L", (self.width, 1), WHITE)
        return Image.fromarray(np.vstack(self._rows))


def _offset(align: int, paper: int, content: int) -> int:
    if align == 1:
        return max(0, (paper - content) // 2)
    if align == 2:
        return max(0, paper - content)
    return 0
