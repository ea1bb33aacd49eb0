"""Region evidence: the page as the largest light blob whose tint differs from the counter.

Edge support alone cannot find a page lying on a pile of white sheets on a near-white desk
with a cable and pens across it (the SmartDoc cluttered desk, docs/capture.md): its own
border is a faint, broken step, while pieces of the page cut by the cable edge better. What
does survive there is the region: paper tinted differently from the counter (white balance
makes it bluish on a pinkish desk) forms one solid blob. A closing bridges the cables and pens
lying across the blob, an opening cuts off what sticks out of it, and the blob's convex
hull, shrunk to a quadrilateral, is both a proposal and the evidence an edge fit must agree
with: a piece of the page cut off by a cable covers only part of the blob, the page (or its
pile) covers nearly all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import Quad, hull_to_quad
from kiosk.capture.proposals import Views

Image = npt.NDArray[Any]

# At the ~480 px level a cable or a pen is 3-8 px wide, a sheet's short side 60+ px: an
# opening this wide removes the former and keeps the latter.
_OPEN = np.ones((9, 9), np.uint8)
_CLOSE = np.ones((7, 7), np.uint8)
_ERODE = np.ones((5, 5), np.uint8)
_EVEN = 0.85  # of the light around it: still the same, evenly lit paper
_LIGHT_SPAN = (31, 31)  # px on the coarse copy (~6 % of its width): the light's slow changes
_MAX_CHROMA = 45  # |a| + |b| from grey: the paper check's limit (DetectorConfig.max_tint)
_REGIONS = 2  # largest blobs considered (a pile and, at most, one other light object)


@dataclass(frozen=True)
class Region:
    """A light blob of paper tint on the coarse copy: its hull and the quad around it."""

    quad: Quad  # coarse-copy coordinates
    hull: npt.NDArray[np.float32]  # the blob's convex hull, coarse-copy coordinates


def paper_regions(lab: Image, seen: Views, min_area: float,
                  white: tuple[float, float] = (128.0, 128.0)) -> list[Region]:
    """The largest blobs of light, counter-differing tint (coarse copy), largest first;
    ``white`` is the Lab (a, b) white paper reads as in this frame."""
    h, w = lab.shape[:2]
    # Paper is light and nearly the colour of the light; a highlighter or an orange lying
    # against the page differs from the counter in tint as well, far more, and would join
    # its blob.
    white_a, white_b = (np.full(1, round(v), np.uint8) for v in white)
    chroma = cv2.add(cv2.absdiff(lab[..., 1], white_a), cv2.absdiff(lab[..., 2], white_b))
    _, colourless = cv2.threshold(chroma, _MAX_CHROMA, 255, cv2.THRESH_BINARY_INV)
    channel = cv2.bitwise_and(seen.tint, colourless)
    _, seg = cv2.threshold(channel, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Closing first bridges the dark cables that cut the blob (the tint map zeroes dark
    # pixels); the opening then trims what sticks out of it.
    seg = cv2.morphologyEx(seg, cv2.MORPH_CLOSE, _CLOSE)
    seg = cv2.morphologyEx(seg, cv2.MORPH_OPEN, _OPEN)
    contours, _ = cv2.findContours(seg, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:_REGIONS]:
        if cv2.contourArea(contour) < min_area * h * w:
            break
        hull = cv2.convexHull(contour).reshape(-1, 2).astype(np.float32)
        quad = hull_to_quad(hull.astype(np.float64))
        if quad is not None:
            regions.append(Region(quad, hull))
    return regions


def agreement(quad: Quad, region: Region) -> float:
    """Intersection over union of ``quad`` (coarse copy) and the region's hull."""
    a = quad.astype(np.float32)
    inter, _ = cv2.intersectConvexConvex(a, region.hull)
    union = abs(cv2.contourArea(a)) + abs(cv2.contourArea(region.hull)) - float(inter)
    return float(inter) / union if union > 0 else 0.0


def even_share(flat: Image, quad: Quad) -> float:
    """The share of ``quad``'s inside (coarse copy) as bright as the paper around it, within
    ``_EVEN``: paper with its print closed away (``Views.flat``) is evenly lit, apart from
    a pen or a cable lying on it; a glare spot on wood grain or a striped cloth is not.

    "Around it" is the inside's own mean over ``_LIGHT_SPAN`` (the outside left out), so a
    shadow falling across a page or a light fading over it, slow changes, do not count
    against it, while stripes a few pixels wide do: measured against the inside's median
    instead, a family card half in shadow (synthetic `hard-clean-2000103`) read 0.82, as
    uneven as the glare spot on wood grain it must be told from; here they read 0.98 and
    0.69.
    """
    mask = np.zeros(flat.shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 1)
    inside = cv2.erode(mask, _ERODE) > 0
    if not inside.any():
        return 0.0
    weight = mask.astype(np.float32)
    summed = cv2.blur(flat.astype(np.float32) * weight, _LIGHT_SPAN)
    light = np.asarray(summed, np.float64) / np.maximum(cv2.blur(weight, _LIGHT_SPAN), 1e-3)
    ratio = flat[inside] / np.maximum(light[inside], 1.0)
    return float(np.mean((ratio >= _EVEN) & (ratio <= 1.0 / _EVEN)))
