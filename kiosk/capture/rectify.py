"""Flatten a page to its real proportions, at 300 dpi where the photo has the pixels for it.

The quad's side lengths alone get the aspect wrong under perspective (the far edge looks
short), so the aspect comes from the projective geometry of the quad (Zhang & He, "Whiteboard
scanning and image enhancement", 2007), assuming square pixels and the principal point at the
image centre; when that is ill-conditioned (a nearly head-on view) the mean side lengths are
exact enough. The aspect is then snapped to a known format (A4, F4, ID-1, receipts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import Quad
from kiosk.capture.sizes import DocSize, snap

Image = npt.NDArray[Any]
MM_PER_INCH = 25.4
# Without a known format or a camera scale, a page's physical size is a guess; this nominal
# density keeps PDF page sizes plausible (an A4 filling a 1080p frame is about this).
NOMINAL_DPI = 100.0


@dataclass(frozen=True)
class Rectified:
    """A flattened page and what is known about its physical size."""

    image: Image
    dpi: float  # achieved pixels per inch, <= the target
    size: DocSize | None  # the snapped format, or None when no known format fits
    aspect: float  # measured height / width of the page, before snapping


def measured_aspect(quad: Quad, frame_size: tuple[int, int]) -> float:
    """Height over width of the real page behind ``quad`` (corners TL, TR, BR, BL)."""
    w, h = frame_size
    centre = np.array([w / 2.0, h / 2.0])
    tl, tr, br, bl = (np.append(p - centre, 1.0) for p in quad)
    width_px = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height_px = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    simple = height_px / max(width_px, 1e-9)
    # Zhang & He: m1=TL, m2=TR, m3=BL, m4=BR in homogeneous, centred coordinates.
    m1, m2, m3, m4 = tl, tr, bl, br
    den2 = float(np.dot(np.cross(m2, m4), m3))
    den3 = float(np.dot(np.cross(m3, m4), m2))
    if abs(den2) < 1e-9 or abs(den3) < 1e-9:
        return simple
    k2 = float(np.dot(np.cross(m1, m4), m3)) / den2
    k3 = float(np.dot(np.cross(m1, m4), m2)) / den3
    n2 = k2 * m2 - m1
    n3 = k3 * m3 - m1
    if abs(n2[2]) < 1e-6 or abs(n3[2]) < 1e-6:
        return simple  # parallel sides: an affine view, the side lengths are right
    f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
    diag = float(np.hypot(w, h))
    if not (0.2 * diag) ** 2 < f2 < (20 * diag) ** 2:
        return simple  # an implausible focal length: too little perspective to measure
    a_inv = np.diag([1 / np.sqrt(f2), 1 / np.sqrt(f2), 1.0])
    wn = a_inv @ n2
    hn = a_inv @ n3
    return float(np.sqrt(np.dot(hn, hn) / np.dot(wn, wn)))


def rectify(image: Image, quad: Quad, *, target_dpi: float = 300.0,
            px_per_mm: float | None = None, max_pixels: int = 12_000_000) -> Rectified:
    """Warp the page inside ``quad`` flat, upright as it lies in the photo."""
    h, w = image.shape[:2]
    aspect = measured_aspect(quad, (w, h))
    tl, tr, br, bl = quad
    width_px = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height_px = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    portrait = aspect >= 1.0
    size = snap(aspect, max(width_px, height_px), px_per_mm)
    if size is not None:
        aspect = size.aspect if portrait else 1.0 / size.aspect
        width_mm = size.width_mm if portrait else size.height_mm
        # The resolution the photo really has: the better-resolved of each pair of sides.
        source_dpi = min(width_px / width_mm, height_px / (width_mm * aspect)) * MM_PER_INCH
    else:
        source_dpi = px_per_mm * MM_PER_INCH if px_per_mm else NOMINAL_DPI
        width_mm = width_px / source_dpi * MM_PER_INCH
    dpi = float(min(target_dpi, source_dpi))
    out_w = width_mm / MM_PER_INCH * dpi
    out_h = out_w * aspect
    if out_w * out_h > max_pixels:
        shrink = np.sqrt(max_pixels / (out_w * out_h))
        out_w, out_h, dpi = out_w * shrink, out_h * shrink, dpi * shrink
    ow, oh = max(round(out_w), 1), max(round(out_h), 1)
    dst = np.array([[-0.5, -0.5], [ow - 0.5, -0.5], [ow - 0.5, oh - 0.5], [-0.5, oh - 0.5]],
                   np.float32)
    hom = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    flat = cv2.warpPerspective(image, hom, (ow, oh), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    return Rectified(flat, dpi, size, float(oh / ow))
