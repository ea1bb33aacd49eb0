"""A one-page PDF holding one scanned image, written directly (PDF 1.4, ISO 32000-1 §7).

Why not a PDF library: the kiosk needs exactly one shape of file — a page the size of the
document with the scan drawn over it — and the image is always the kiosk's own: a fresh
baseline JPEG (grey or RGB), or a black-and-white page. img2pdf did this and never re-encoded,
but importing it loads pikepdf, Pillow's colour management and TIFF and GIF codecs: 12 MB
resident in the touchscreen app for a file of six objects (docs/screens.md, memory).

The JPEG goes in as it is (``/DCTDecode``: no second lossy pass); a black-and-white page goes
in as 1 bit a pixel, Flate-compressed. The centre opens every upload with qpdf without repair
(central/services/document_check.py), so a malformed file here would be refused there.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import numpy.typing as npt

POINTS_PER_INCH = 72.0
HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # the binary comment marks the file as binary


def jpeg_page(jpeg: bytes, width: int, height: int, grey: bool, dpi: float) -> bytes:
    """A page of ``width`` x ``height`` pixels at ``dpi`` showing ``jpeg`` as encoded."""
    colours = b"/DeviceGray" if grey else b"/DeviceRGB"
    image = _image_dict(width, height, colours, 8, b"/DCTDecode", len(jpeg))
    return _page(image, jpeg, width, height, dpi)


def bilevel_page(page: npt.NDArray[Any], dpi: float) -> bytes:
    """A page showing ``page`` (one channel, 0 black and 255 white) at 1 bit a pixel."""
    height, width = page.shape
    bits = zlib.compress(np.packbits(page > 127, axis=1).tobytes(), 9)  # each row byte-padded
    image = _image_dict(width, height, b"/DeviceGray", 1, b"/FlateDecode", len(bits))
    return _page(image, bits, width, height, dpi)


def _image_dict(
    width: int, height: int, colours: bytes, bits: int, encoding: bytes, length: int
) -> bytes:
    return (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"
        b" /BitsPerComponent %d /Filter %s /Length %d >>"
        % (width, height, colours, bits, encoding, length)
    )


def _page(image: bytes, data: bytes, width: int, height: int, dpi: float) -> bytes:
    """The file: catalogue, page tree, page, its drawing, the image and the document info."""
    if width <= 0 or height <= 0 or dpi <= 0:
        raise ValueError("a page needs a positive size and dpi")
    page_w = _number(width / dpi * POINTS_PER_INCH)
    page_h = _number(height / dpi * POINTS_PER_INCH)
    drawing = b"q %s 0 0 %s 0 0 cm /Im0 Do Q" % (page_w, page_h)  # the image fills the page
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s]"
        b" /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>" % (page_w, page_h),
        _stream(b"<< /Length %d >>" % len(drawing), drawing),
        _stream(image, data),
        b"<< /Title (Anjungan scan) /Creator (anjungan) /Producer (anjungan) >>",
    ]
    out = bytearray(HEADER)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return dictionary + b"\nstream\n" + data + b"\nendstream"


def _number(value: float) -> bytes:
    """A PDF real: plain decimal notation (PDF has no exponents), two places."""
    return b"%.2f" % value
