"""Reading a receipt's QR back from its PNG, as a phone would."""

from __future__ import annotations

from pathlib import Path

import cv2


def decode_qr(png: Path) -> str:
    """The QR's text, or "" when neither of OpenCV's detectors finds one."""
    image = cv2.imread(str(png))
    if image is None:
        raise FileNotFoundError(f"not an image: {png}")
    text, *_ = cv2.QRCodeDetector().detectAndDecode(image)
    if not text:
        text, *_ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return str(text)
