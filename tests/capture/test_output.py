"""JPEG and PDF output: dpi metadata, page size, 1-bit pages, the upload size cap."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from kiosk.capture.enhance import Mode, enhance
from kiosk.capture.output import Format, TooLarge, encode

pytestmark = pytest.mark.in_process


def _page(h: int = 1400, w: int = 1000, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    page = np.full((h, w, 3), 235, np.uint8)
    for y in range(80, h - 80, 30):  # lines of "text"
        page[y:y + 8, 60:w - 60] = rng.integers(0, 80, (8, w - 120, 3))
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
