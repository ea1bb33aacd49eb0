"""Small geometry on page outlines: ordering corners, lines, and shrinking a hull to four sides.

Coordinates are image pixels with pixel centres on integers (x right, y down); a quad is a
(4, 2) float64 array, clockwise on screen starting from the corner nearest the top-left.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Quad = npt.NDArray[np.float64]
Points = npt.NDArray[np.float64]


def order_quad(pts: Points) -> Quad:
    """Corners clockwise on screen (y down), starting with the one nearest the top-left."""
    pts = np.asarray(pts, np.float64).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # increasing angle is clockwise when y points down
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def polygon_area(pts: Points) -> float:
    """Signed shoelace area: positive when clockwise on screen."""
    x, y = pts[:, 0], pts[:, 1]
    return float(0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def is_convex(quad: Quad) -> bool:
    edges = np.roll(quad, -1, axis=0) - quad
    nxt = np.roll(edges, -1, axis=0)
    cross = edges[:, 0] * nxt[:, 1] - edges[:, 1] * nxt[:, 0]
    return bool(np.all(cross > 0) or np.all(cross < 0))


def intersect(p: Points, d: Points, q: Points, e: Points) -> Points | None:
    """Where line p + t·d meets line q + s·e, or None when they are (nearly) parallel."""
    den = d[0] * e[1] - d[1] * e[0]
    if abs(den) < 1e-9 * (np.linalg.norm(d) * np.linalg.norm(e) + 1e-12):
        return None
    t = ((q[0] - p[0]) * e[1] - (q[1] - p[1]) * e[0]) / den
    meet: Points = p + t * d
    return meet


def hull_to_quad(hull: Points) -> Quad | None:
    """The enclosing quadrilateral of a convex polygon that adds the least area.

    Repeatedly drops the hull edge whose two neighbours, extended, meet closest to it. A page
    whose corners are rounded, nicked or hidden under a thumb keeps its four long sides, so
    their extensions find the true corners again.
    """
    pts = np.asarray(hull, np.float64).reshape(-1, 2)
    if polygon_area(pts) < 0:
        pts = pts[::-1]
    while len(pts) > 4:
        n = len(pts)
        idx = np.arange(n)
        p0 = pts[idx - 1]  # index arithmetic, not np.roll: this loop runs per contour
        p1 = pts
        p2 = pts[(idx + 1) % n]
        p3 = pts[(idx + 2) % n]
        d, e = p1 - p0, p2 - p3
        den = d[:, 0] * e[:, 1] - d[:, 1] * e[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = ((p2[:, 0] - p0[:, 0]) * e[:, 1] - (p2[:, 1] - p0[:, 1]) * e[:, 0]) / den
            meet = p0 + t[:, None] * d
            # Neighbours must converge beyond the edge (t > 1), else the cut is not enclosing.
            added = (
                np.abs(
                    (meet[:, 0] - p1[:, 0]) * (p2[:, 1] - p1[:, 1])
                    - (meet[:, 1] - p1[:, 1]) * (p2[:, 0] - p1[:, 0])
                )
                / 2
            )
        added[~np.isfinite(added) | ~(t > 1.0)] = np.inf
        i = int(np.argmin(added))
        if not np.isfinite(added[i]):
            return None
        if i + 1 < n:
            pts = np.vstack([pts[:i], meet[i][None, :], pts[i + 2 :]])
        else:  # the edge from the last vertex back to the first
            pts = np.vstack([meet[i][None, :], pts[1 : n - 1]])
    if len(pts) < 4:
        return None
    return order_quad(pts)
