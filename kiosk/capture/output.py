"""Encode a captured page for upload: JPEG, or a PDF holding the JPEG (or a 1-bit image for a
black-and-white page).

The PDF wraps the encoded image as is (kiosk/capture/pdf.py never re-encodes), with the page
size taken from the achieved dpi so a printed copy comes out at the document's real size.
Uploads have a size cap: past it, the JPEG quality steps down, then the image shrinks (and its
dpi with it).
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage

from kiosk.capture import pdf

Image = npt.NDArray[Any]
QUALITY_STEPS = (88, 80, 70, 60, 50)
SHRINK_STEP = 0.8
MIN_LONG_SIDE = 200  # px: below this a page is unreadable, so the cap gives up instead


class Format(enum.StrEnum):
    JPEG = "jpeg"
    PDF = "pdf"


class TooLarge(ValueError):
    """The page cannot be brought under the size cap while staying readable."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    format: Format
    dpi: float
    width: int  # pixels
    height: int
    quality: int | None  # JPEG quality used, None for lossless 1-bit pages

    @property
    def size_mm(self) -> tuple[float, float]:
        return self.width / self.dpi * 25.4, self.height / self.dpi * 25.4


def _jpeg(page: Image, dpi: float, quality: int) -> bytes:
    """JPEG with its dpi in the JFIF header."""
    colour = page.ndim == 3
    pil = PILImage.fromarray(cv2.cvtColor(page, cv2.COLOR_BGR2RGB) if colour else page)
    buf = io.BytesIO()
    pil.save(buf, format="JPEG", quality=quality, dpi=(round(dpi), round(dpi)), optimize=True)
    return buf.getvalue()


def _file(page: Image, dpi: float, fmt: Format, quality: int | None) -> bytes:
    """The upload's bytes: a JPEG, a PDF of that JPEG, or (``quality`` None) a 1-bit PDF."""
    if quality is None:
        return pdf.bilevel_page(page, dpi)
    jpeg = _jpeg(page, dpi, quality)
    if fmt is Format.JPEG:
        return jpeg
    height, width = page.shape[:2]
    return pdf.jpeg_page(jpeg, width, height, page.ndim == 2, dpi)


def encode(page: Image, dpi: float, fmt: Format, max_bytes: int) -> Encoded:
    """``page`` encoded in ``fmt``, no larger than ``max_bytes``; raises TooLarge if it can't be.

    A single-channel page holding only 0 and 255 is black-and-white and goes into a PDF at
    1 bit a pixel (lossless and tiny); anything else is JPEG.
    """
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    bilevel = page.ndim == 2 and bool(np.isin(page, (0, 255)).all())
    # A JPEG file cannot hold 1-bit data: only a PDF gets the lossless 1-bit page.
    qualities: tuple[int | None, ...] = (None,) if bilevel and fmt is Format.PDF else QUALITY_STEPS
    current, current_dpi = page, dpi
    while True:
        for quality in qualities:
            data = _file(current, current_dpi, fmt, quality)
            if len(data) <= max_bytes:
                h, w = current.shape[:2]
                return Encoded(data, fmt, current_dpi, w, h, quality)
        h, w = current.shape[:2]
        if max(h, w) * SHRINK_STEP < MIN_LONG_SIDE:
            raise TooLarge(f"cannot fit the page in {max_bytes} bytes")
        size = (max(round(w * SHRINK_STEP), 1), max(round(h * SHRINK_STEP), 1))
        current = cv2.resize(current, size, interpolation=cv2.INTER_AREA)
        if bilevel:
            _, current = cv2.threshold(current, 127, 255, cv2.THRESH_BINARY)
        current_dpi *= SHRINK_STEP
