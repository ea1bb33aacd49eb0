"""Make a flattened page look scanned: white paper, even light, optionally pure black text.

Uneven light and shadows are removed by dividing by an estimate of the bare paper (a max
filter erases the print, a blur smooths what is left), the usual "background division" of
document scanners. Black-and-white then thresholds the evened page locally, so a faint stamp
in one corner and dark text in another both survive.
"""

from __future__ import annotations

import enum
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[Any]


class Mode(enum.StrEnum):
    COLOUR = "colour"
    GREY = "grey"
    BW = "bw"


def paper_background(grey_or_bgr: Image) -> Image:
    """The page with its print removed: what the paper alone would look like, as float32."""
    h, w = grey_or_bgr.shape[:2]
    factor = max(1, round(max(h, w) / 256))
    small = cv2.resize(grey_or_bgr, (max(w // factor, 1), max(h // factor, 1)),
                       interpolation=cv2.INTER_AREA)
    # Text strokes are a few pixels wide even at this size; a 7 px max filter erases them.
    small = cv2.dilate(small, np.ones((7, 7), np.uint8))
    small = cv2.GaussianBlur(small, (0, 0), 3)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def enhance(page: Image, mode: Mode) -> Image:
    """``page`` (BGR) cleaned for ``mode``: BGR for colour, one channel for grey and bw."""
    if mode is Mode.COLOUR:
        bg = paper_background(page)
        out = page.astype(np.float32) / np.maximum(bg, 1.0) * 245.0
        return np.clip(out, 0, 255).astype(np.uint8)
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    even = np.clip(grey.astype(np.float32) / np.maximum(paper_background(grey), 1.0) * 245.0,
                   0, 255).astype(np.uint8)
    if mode is Mode.GREY:
        return even
    block = max(15, (min(grey.shape) // 40) | 1)  # odd, about a line of text tall
    return cv2.adaptiveThreshold(even, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                 block, 18)
