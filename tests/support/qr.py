"""Reading a QR back from a receipt or a letter, as a phone would.

OpenCV's classic detector misses some symbols outright: about 4 % of clean verification-URL
codes (13 of 300 random ones, each 10 px a module with a quiet zone) and now and then one on
a tall receipt strip full of text, whose glyph strokes look like finder patterns. Its
ArUco-based detector, from the same library, read every one of those, so it is the fallback.
A test asserts on what was decoded, never that a decoder ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy.typing as npt


def decode_qr_image(image: npt.NDArray[Any]) -> str:
    """The QR's text, or "" when neither of OpenCV's detectors finds one."""
    text, *_ = cv2.QRCodeDetector().detectAndDecode(image)
    if not text:
        text, *_ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return str(text)


def decode_qr(png: Path) -> str:
    """The QR's text in a picture on disk (a receipt's PNG), or "" when none is found."""
    image = cv2.imread(str(png))
    if image is None:
        raise FileNotFoundError(f"not an image: {png}")
    return decode_qr_image(image)
