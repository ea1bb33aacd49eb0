"""Small geometry on page outlines: ordering corners, lines, and shrinking a hull to four sides.

Coordinates are image pixels with pixel centres on integers (x right, y down); a quad is a
(4, 2) float64 array, clockwise on screen starting from the corner nearest the top-left.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

Quad = npt.NDArray[np.float64]
Points = npt.NDArray[np.float64]


def order_quad(pts: Points) -> Quad:
    """Corners clockwise on screen (y down), starting with the one nearest the top-left.

    In plain floats: it runs for every hull and fitted outline, and numpy's per-call
    overhead on four points cost three times the arithmetic.
    """
    corners = np.asarray(pts, np.float64).reshape(4, 2).tolist()
    cx = sum(x for x, _ in corners) / 4
    cy = sum(y for _, y in corners) / 4
    corners.sort(key=lambda p: math.atan2(p[1] - cy, p[0] - cx))  # clockwise when y is down
    start = min(range(4), key=lambda k: corners[k][0] + corners[k][1])
    return np.array(corners[start:] + corners[:start])


NEXT = np.array([1, 2, 3, 0])  # index of each corner's successor: np.roll(quad, -1, axis=0)
PREVIOUS = np.array([3, 0, 1, 2])  # ... and predecessor, without np.roll's overhead


def is_convex(quad: Quad) -> bool:
    edges = quad[NEXT] - quad
    nxt = edges[NEXT]
    cross = edges[:, 0] * nxt[:, 1] - edges[:, 1] * nxt[:, 0]
    return bool(np.all(cross > 0) or np.all(cross < 0))


def meeting_points(points: Points, directions: Points) -> Quad | None:
    """The corners of the quad whose side k is the line points[k] + t·directions[k]: corner k
    where side k - 1 meets side k, all four at once; None when two neighbouring sides are
    (nearly) parallel."""
    p, d = points[PREVIOUS], directions[PREVIOUS]
    q, e = points, directions
    den = d[:, 0] * e[:, 1] - d[:, 1] * e[:, 0]
    if np.any(np.abs(den) < 1e-9 * (np.hypot(d[:, 0], d[:, 1]) * np.hypot(e[:, 0], e[:, 1])
                                    + 1e-12)):
        return None
    t = ((q[:, 0] - p[:, 0]) * e[:, 1] - (q[:, 1] - p[:, 1]) * e[:, 0]) / den
    meet: Quad = p + t[:, None] * d
    return meet


def hull_to_quad(hull: Points) -> Quad | None:
    """The enclosing quadrilateral of a convex polygon that adds the least area.

    Repeatedly merges the hull edge whose two neighbours, extended, meet closest to it
    (OpenCV's ``approxPolyN``, Low & Ilie 2003: the same greedy rule, in C++, ~50x faster
    than it ran here in numpy). A page whose corners are rounded, nicked or hidden under a
    thumb keeps its four long sides, so their extensions find the true corners again.
    """
    pts = np.asarray(hull, np.float32).reshape(-1, 1, 2)
    if len(pts) < 4:
        return None
    quad = np.asarray(cv2.approxPolyN(pts, 4, ensure_convex=True), np.float64).reshape(-1, 2)
    if len(quad) != 4 or not np.isfinite(quad).all():
        return None
    return order_quad(quad)
