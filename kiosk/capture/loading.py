"""Read a photo from disk without letting a bad or huge file take the kiosk down.

The header is read first (Pillow opens lazily), so the pixel count is known before a single
pixel is decoded: a 50 MP JPEG is decoded at 1/2, 1/4 or 1/8 size straight from its DCT
(OpenCV's IMREAD_REDUCED_*), which costs a fraction of the memory; other formats that big are
refused. Every failure is a LoadError with a message fit for the operator.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

Image = npt.NDArray[Any]
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PIXELS = 24_000_000  # decoded; a 12 MP camera still fits twice over
_REDUCED = ((2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4),
            (8, cv2.IMREAD_REDUCED_COLOR_8))


class LoadError(ValueError):
    """The file is not a photo this pipeline can use; ``str()`` says why."""


def header_size(data: bytes) -> tuple[int, int, str]:
    """(width, height, format) from the header alone."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as img:
                return img.size[0], img.size[1], str(img.format)
    except (UnidentifiedImageError, PILImage.DecompressionBombError,
            PILImage.DecompressionBombWarning) as err:
        if isinstance(err, UnidentifiedImageError):
            raise LoadError("not an image (unknown or damaged format)") from err
        raise LoadError("image too large (decompression bomb guard)") from err
    except (OSError, SyntaxError, ValueError) as err:
        raise LoadError(f"damaged image header: {err}") from err


def decode(data: bytes, max_pixels: int = MAX_PIXELS) -> Image:
    """An 8-bit BGR image from encoded bytes, at most ``max_pixels`` pixels."""
    if not data:
        raise LoadError("empty file")
    w, h, fmt = header_size(data)
    if w <= 0 or h <= 0:
        raise LoadError("image has no pixels")
    flag = cv2.IMREAD_COLOR
    if w * h > max_pixels:
        if fmt != "JPEG":
            raise LoadError(f"image too large: {w}x{h} px ({fmt}); at most {max_pixels} px")
        for factor, reduced in _REDUCED:
            if (w // factor) * (h // factor) <= max_pixels:
                flag = reduced
                break
        else:
            raise LoadError(f"image too large: {w}x{h} px; at most {max_pixels * 64} px")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    if image is None or image.size == 0:
        raise LoadError(f"could not decode the {fmt} image (damaged or truncated)")
    return image


def load(path: str | Path, max_pixels: int = MAX_PIXELS,
         max_bytes: int = MAX_FILE_BYTES) -> Image:
    """Read and decode ``path``; LoadError for anything that is not a usable photo."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise LoadError("not a regular file")
        if size > max_bytes:
            raise LoadError(f"file too large: {size} bytes; at most {max_bytes}")
        data = p.read_bytes()
    except LoadError:
        raise
    except FileNotFoundError as err:
        raise LoadError("no such file") from err
    except OSError as err:
        raise LoadError(f"cannot read the file: {err.strerror or err}") from err
    return decode(data, max_pixels)
