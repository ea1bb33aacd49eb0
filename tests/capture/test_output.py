"""JPEG and PDF output: dpi metadata, page size, 1-bit pages, the upload size cap."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pikepdf
import pytest
from PIL import Image

from central.services.document_check import check_pdf
from kiosk.capture import pdf
from kiosk.capture.enhance import Mode, enhance
from kiosk.capture.output import Format, TooLarge, encode

pytestmark = pytest.mark.in_process


def _page(h: int = 1400, w: int = 1000, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    page = np.full((h, w, 3), 235, np.uint8)
    for y in range(80, h - 80, 30):  # lines of "text"
        page[y : y + 8, 60 : w - 60] = rng.integers(0, 80, (8, w - 120, 3))
    return page


def _media_box(pdf: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert match, "no MediaBox"
    return float(match.group(1)), float(match.group(2))


def test_pdf_page_size_follows_the_dpi() -> None:
    encoded = encode(_page(), 150.0, Format.PDF, 5_000_000)
    assert encoded.data.startswith(b"%PDF")
    w_pt, h_pt = _media_box(encoded.data)
    assert w_pt == pytest.approx(1000 / 150 * 72, abs=0.5)
    assert h_pt == pytest.approx(1400 / 150 * 72, abs=0.5)
    assert b"/DCTDecode" in encoded.data  # the JPEG inside, not re-encoded to Flate


@dataclass(frozen=True)
class StoredImage:
    width: int
    height: int
    bits: int
    colours: str
    stored: bytes  # the stream as written, before any decoding
    pixels: np.ndarray  # as a viewer draws it, one channel


def _only_image(data: bytes) -> StoredImage:
    """The page's one image, read by qpdf with its repair mode off (as the centre reads
    uploads); qpdf's own syntax check must find nothing wrong."""
    with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as document:
        assert document.check_pdf_syntax() == []
        assert len(document.pages) == 1
        (stream,) = document.pages[0].get_images().values()
        assert isinstance(stream, pikepdf.Stream)
        image = pikepdf.PdfImage(stream)
        pixels = np.asarray(image.as_pil_image().convert("L"))
        return StoredImage(
            image.width,
            image.height,
            image.bits_per_component,
            str(image.colorspace),
            stream.read_raw_bytes(),
            pixels,
        )


@pytest.mark.parametrize("channels", [3, 1])
def test_the_pdf_holds_the_jpeg_byte_for_byte(channels: int) -> None:
    page = _page() if channels == 3 else _page()[:, :, 0]
    as_jpeg = encode(page, 200.0, Format.JPEG, 5_000_000).data
    image = _only_image(encode(page, 200.0, Format.PDF, 5_000_000).data)
    assert image.stored == as_jpeg  # no second lossy pass
    assert (image.width, image.height, image.bits) == (1000, 1400, 8)
    assert image.colours == ("/DeviceRGB" if channels == 3 else "/DeviceGray")
    check_pdf(encode(page, 200.0, Format.PDF, 5_000_000).data)  # what the centre accepts


def test_a_one_bit_page_keeps_every_pixel() -> None:
    rng = np.random.default_rng(5)
    bw = np.where(rng.random((301, 203)) < 0.3, 0, 255).astype(np.uint8)  # odd width: padding
    encoded = encode(bw, 300.0, Format.PDF, 5_000_000)
    image = _only_image(encoded.data)
    assert image.bits == 1
    assert np.array_equal(image.pixels, bw)  # 0 black, 255 white, as scanned
    check_pdf(encoded.data)


def test_a_page_with_no_size_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        pdf.jpeg_page(b"\xff\xd8", 0, 10, True, 300.0)


def test_jpeg_carries_its_dpi() -> None:
    encoded = encode(_page(), 200.0, Format.JPEG, 5_000_000)
    with Image.open(io.BytesIO(encoded.data)) as img:
        assert img.format == "JPEG"
        assert img.info["dpi"] == pytest.approx((200, 200))
        assert img.size == (1000, 1400)


def test_black_and_white_goes_into_the_pdf_as_one_bit() -> None:
    bw = enhance(_page(), Mode.BW)
    assert set(np.unique(bw)) <= {0, 255}
    encoded = encode(bw, 300.0, Format.PDF, 5_000_000)
    assert b"/BitsPerComponent 1" in encoded.data
    assert encoded.quality is None


def test_size_cap_is_respected_by_lowering_quality_then_size() -> None:
    rng = np.random.default_rng(3)
    noisy = rng.integers(0, 256, (1400, 1000, 3), dtype=np.uint8)  # incompressible
    free = encode(noisy, 300.0, Format.PDF, 50_000_000)
    cap = len(free.data) // 4
    capped = encode(noisy, 300.0, Format.PDF, cap)
    assert len(capped.data) <= cap
    assert capped.width < 1000 and capped.dpi < 300.0
    assert capped.size_mm == pytest.approx(free.size_mm, rel=0.01)  # same paper size


def test_impossible_cap_is_an_error() -> None:
    with pytest.raises(TooLarge):
        encode(_page(), 300.0, Format.PDF, 2_000)
    with pytest.raises(ValueError, match="positive"):
        encode(_page(), 300.0, Format.JPEG, 0)


def test_enhancement_evens_out_a_shadow() -> None:
    page = _page().astype(np.float32)
    page[:, :500] *= 0.5  # left half in shadow
    shaded = page.astype(np.uint8)
    grey = enhance(shaded, Mode.GREY)
    left, right = grey[20:60, 100:400], grey[20:60, 600:900]  # blank margin either side
    assert abs(float(left.mean()) - float(right.mean())) < 10
    colour = enhance(shaded, Mode.COLOUR)
    assert colour.shape == shaded.shape
