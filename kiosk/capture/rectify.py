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


Direction = tuple[float, float, float]


def _det(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    """The determinant of three points in homogeneous coordinates (z = 1): numpy's cross and
    dot on 3-vectors cost some 80 us per outline in call overhead, and the detector asks for
    these directions for every outline it weighs."""
    return a[0] * (b[1] - c[1]) - a[1] * (b[0] - c[0]) + b[0] * c[1] - b[1] * c[0]


def _side_directions(quad: Quad, frame_size: tuple[int, int]) -> tuple[Direction, Direction] | None:
    """The 3D directions of the top and the left side of the rectangle behind ``quad``
    (Zhang & He's n2 and n3, in centred pixel units), or None when three corners are in
    line."""
    w, h = frame_size
    cx, cy = w / 2.0, h / 2.0
    # Zhang & He: m1=TL, m2=TR, m3=BL, m4=BR, centred on the image.
    m1, m2, m4, m3 = ((float(x) - cx, float(y) - cy) for x, y in quad)
    den2 = _det(m2, m4, m3)
    den3 = _det(m3, m4, m2)
    if abs(den2) < 1e-9 or abs(den3) < 1e-9:
        return None
    k2 = _det(m1, m4, m3) / den2
    k3 = _det(m1, m4, m2) / den3
    return ((k2 * m2[0] - m1[0], k2 * m2[1] - m1[1], k2 - 1.0),
            (k3 * m3[0] - m1[0], k3 * m3[1] - m1[1], k3 - 1.0))


def measured_aspect(quad: Quad, frame_size: tuple[int, int]) -> float:
    """Height over width of the real page behind ``quad`` (corners TL, TR, BR, BL)."""
    w, h = frame_size
    width_px = float(np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    height_px = float(np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    simple = height_px / max(width_px, 1e-9)
    sides = _side_directions(quad, frame_size)
    if sides is None:
        return simple
    n2, n3 = sides
    if abs(n2[2]) < 1e-6 or abs(n3[2]) < 1e-6:
        return simple  # parallel sides: an affine view, the side lengths are right
    f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
    diag = float(np.hypot(w, h))
    if not (0.2 * diag) ** 2 < f2 < (20 * diag) ** 2:
        return simple  # an implausible focal length: too little perspective to measure
    # The sides' lengths with the camera's focal length taken out (diag(1/f, 1/f, 1) n).
    width_3d = (n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2
    height_3d = (n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2
    return float(np.sqrt(height_3d / width_3d))


# Focal lengths a document camera can have, as multiples of the frame's diagonal: a phone's
# wide lens is about 0.8, the tray camera's 0.6-1.5, a long lens 3.
_FOCAL_RANGE = np.geomspace(0.25, 4.0, 33)


def rectangle_misfit(quad: Quad, frame_size: tuple[int, int]) -> float:
    """How far ``quad`` is from any camera's view of a rectangle: the smallest |cosine| of
    the angle between its top and left sides in 3D, over the focal lengths a camera can
    have. 0 for a sheet seen by such a camera; 1 when three corners are in line.

    Why: side lengths and corner angles in the picture cannot tell a tilted page from a
    shape no page makes, since perspective skews both. Back in 3D a page's corners are
    right angles whatever the tilt. The real SmartDoc pages measure 0.000-0.008 (their true
    corners) and the detector's accepted synthetic pages up to 0.2 (an imprecise corner);
    the outlines a pile, a cable and a mug make together measured 0.6-0.94.
    """
    sides = _side_directions(quad, frame_size)
    if sides is None:
        return 1.0
    n2, n3 = sides
    f2 = (_FOCAL_RANGE * float(np.hypot(*frame_size))) ** 2
    across = (n2[0] * n3[0] + n2[1] * n3[1]) / f2 + n2[2] * n3[2]
    norms = np.sqrt(((n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2)
                    * ((n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2))
    return float(np.min(np.abs(across) / np.maximum(norms, 1e-12)))


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
