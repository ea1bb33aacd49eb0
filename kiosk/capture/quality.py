"""Is a captured page good enough to send? Five checks, each a measured number and a limit.

Measured on the flattened page at a fixed size (so a close-up and a far page are judged
alike) and on the outline in the frame:

- blurred: the Laplacian against the gradient on the page's strongest edges. Capture SDKs use
  the Laplacian's variance alone, but that swings tenfold with how much print a page carries
  (a receipt vs a family card); over the gradient it measures how wide edges are, whatever
  the content: about 1/sigma of the blur;
- glare: share of the page that is solidly clipped white (print included, so it is washed
  out and unreadable), not merely bright paper;
- too dark: the brightness that 90 % of the page stays under (paper should be bright);
- too small: the page's long side against the frame's short side;
- cut off: the outline touches the frame's border.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import Quad
from kiosk.capture.guidance import Code

Image = npt.NDArray[Any]
MEASURE_SIZE = 1000  # px: pages larger than this are measured shrunk to it, never enlarged


@dataclass(frozen=True)
class QualityConfig:
    """Limits; the defaults are calibrated on the synthetic set (bench/capture.py)."""

    min_sharpness: float = 0.05
    max_glare: float = 0.05
    min_brightness: float = 80.0
    min_long_side: float = 0.35  # share of the frame's shorter side
    border_margin: float = 3.0  # px


@dataclass(frozen=True)
class Measures:
    sharpness: float
    glare: float
    brightness: float
    long_side: float
    cut_off: bool


def measure(page: Image, quad: Quad, frame_size: tuple[int, int],
            margin: float = 3.0) -> Measures:
    """The numbers the checks compare with their limits."""
    h, w = page.shape[:2]
    f = min(1.0, MEASURE_SIZE / max(h, w))
    fixed = page if f == 1.0 else cv2.resize(page, (max(round(w * f), 1), max(round(h * f), 1)),
                                             interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(fixed, cv2.COLOR_BGR2GRAY) if fixed.ndim == 3 else fixed
    sharpness = _edge_sharpness(grey)
    lowest = fixed.min(axis=2) if fixed.ndim == 3 else fixed
    clipped = (lowest >= 250).astype(np.uint8)
    # Solid clipping only: a 9 px erosion removes bright paper between dark print.
    solid = cv2.erode(clipped, np.ones((9, 9), np.uint8))
    glare = float(solid.mean())
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    brightness = float(np.searchsorted(np.cumsum(hist), 0.9 * grey.size))
    return Measures(sharpness, glare, brightness, long_side_share(quad, frame_size),
                    touches_border(quad, frame_size, margin))


def long_side_share(quad: Quad, frame_size: tuple[int, int]) -> float:
    """The outline's longest side over the frame's shorter side."""
    sides = np.hypot(*(np.roll(quad, -1, axis=0) - quad).T)
    return float(sides.max()) / min(frame_size)


def touches_border(quad: Quad, frame_size: tuple[int, int], margin: float) -> bool:
    """True when a corner is within ``margin`` px of the frame's edge (or beyond it)."""
    w, h = frame_size
    lo, hi = margin - 0.5, np.array([w, h]) - 0.5 - margin
    return bool((quad < lo).any() or (quad > hi).any())


def _edge_sharpness(grey: Image) -> float:
    """RMS Laplacian over RMS gradient on the 5 % strongest-gradient pixels (about 1/blur)."""
    g = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 0.7)  # keep sensor noise out
    lap = cv2.Laplacian(g, cv2.CV_32F)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1)
    grad = gx * gx + gy * gy
    edges = grad >= np.partition(grad.ravel(), int(0.95 * grad.size))[int(0.95 * grad.size)]
    energy = float(grad[edges].mean())
    if energy < 1e-6:
        return 0.0  # a blank page: nothing to judge sharpness on
    return float(np.sqrt(float((lap[edges] ** 2).mean()) / energy))


def judge(m: Measures, cfg: QualityConfig | None = None) -> list[Code]:
    """The problems found, most fundamental first (no point asking to hold still if cut off)."""
    cfg = cfg or QualityConfig()
    issues = []
    if m.cut_off:
        issues.append(Code.CUT_OFF)
    if m.long_side < cfg.min_long_side:
        issues.append(Code.TOO_SMALL)
    if m.brightness < cfg.min_brightness:
        issues.append(Code.TOO_DARK)
    if m.glare > cfg.max_glare:
        issues.append(Code.GLARE)
    if m.sharpness < cfg.min_sharpness:
        issues.append(Code.BLURRED)
    return issues
