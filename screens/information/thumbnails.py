"""Project photos shrunk to their slot on the information screen, before the UI thread sees
them.

The router runs ``thumbnail`` inside its question to the session, on the session's thread,
so Kivy's thread only uploads a few kilobytes. Decoding a centre photo (up to 1280 px) on the
UI thread cost milliseconds of a frame, and its full-size texture held ~1 MB to fill a slot
of ~200x130 px. Nothing here touches Kivy.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

MAX_PHOTO_SIDE = 8192
"""A photo claiming more pixels a side is refused before decoding: the centre stores at most
1280 px, and a small file can declare a huge picture."""


@dataclass(frozen=True)
class Thumbnail:
    """A photo decoded and fitted to its slot: RGBA rows, top row first."""

    rgba: bytes
    width: int
    height: int


def thumbnail(photo: bytes, width: int, height: int) -> Thumbnail | None:
    """The photo fitted within ``width`` x ``height`` pixels, aspect kept; None when it is
    not a picture Pillow reads or it claims too many pixels. JPEGs are decoded at a reduced
    scale when that still covers the slot (Pillow's draft mode)."""
    if width < 1 or height < 1:
        return None
    try:
        with Image.open(io.BytesIO(photo)) as image:
            if max(image.size) > MAX_PHOTO_SIDE:
                return None
            image.draft("RGB", (width, height))
            fitted = image.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    fitted.thumbnail((width, height), Image.Resampling.LANCZOS)
    return Thumbnail(fitted.tobytes(), fitted.width, fitted.height)
