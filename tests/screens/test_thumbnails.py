"""screens/information/thumbnails.py: a centre photo fitted to its slot off the UI thread,
rows top-down as the screen flips them; what is not a photo gives None, never an error."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from screens.information.thumbnails import MAX_PHOTO_SIDE, thumbnail

BLUE, GREEN = (20, 60, 230), (40, 160, 50)


def _photo(width: int, height: int, kind: str = "JPEG") -> bytes:
    """Sky over grass: the top half blue, the bottom half green."""
    image = Image.new("RGB", (width, height), GREEN)
    image.paste(BLUE, (0, 0, width, height // 2))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def test_a_photo_is_fitted_within_its_slot_keeping_its_aspect_top_row_first() -> None:
    fitted = thumbnail(_photo(1280, 840), 195, 130)
    assert fitted is not None
    assert (fitted.width, fitted.height) == (195, 128)  # 1280/840 is wider than 195/130
    pixels = np.frombuffer(fitted.rgba, np.uint8).reshape(fitted.height, fitted.width, 4)
    top, bottom = pixels[5, 100, :3].astype(int), pixels[-5, 100, :3].astype(int)
    assert np.abs(top - BLUE).max() < 25 and np.abs(bottom - GREEN).max() < 25
    assert (pixels[:, :, 3] == 255).all()


def test_a_photo_smaller_than_its_slot_is_not_enlarged() -> None:
    fitted = thumbnail(_photo(120, 80, "PNG"), 195, 130)
    assert fitted is not None and (fitted.width, fitted.height) == (120, 80)


@pytest.mark.parametrize(
    "photo",
    [b"", b"not a picture", _photo(640, 420)[:300], _photo(MAX_PHOTO_SIDE + 1, 1, "PNG")],
    ids=["empty", "text", "truncated", "too-many-pixels"],
)
def test_what_is_not_a_usable_photo_gives_none(photo: bytes) -> None:
    assert thumbnail(photo, 195, 130) is None


def test_a_slot_with_no_pixels_gets_nothing() -> None:
    assert thumbnail(_photo(64, 64), 0, 130) is None
