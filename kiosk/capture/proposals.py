"""Rough page outlines on a small copy of the frame: the detector's first, cheap step.

No single view finds every page, so three propose and one judge ranks:

- segmentation: paper is bright and colourless, so Otsu on brightness (and on brightness minus
  colour) separates a sheet from a darker counter;
- edge contours: a colour Canny on a high-passed copy (slow shadows and glare removed, sharp
  borders kept) traces a light sheet on a light counter, and a blue ID card on a grey one;
- lines: the four strongest straight edges in two roughly perpendicular pairs, which still
  frame a page whose outline is broken by a thumb or a shadow.

Every outline is ranked by how much of each side lies on an edge; the best few go on to the
sub-pixel fit in ``detect.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import Quad, hull_to_quad, order_quad

Image = npt.NDArray[Any]

_KERNEL3 = np.ones((3, 3), np.uint8)
_KERNEL5 = np.ones((5, 5), np.uint8)
_KERNEL7 = np.ones((7, 7), np.uint8)
_HULL_TOL_PX, _HULL_TOL_SHARE = 2.0, 0.005  # hull simplification: px, or share of perimeter
_BRIGHT_SHARE = 0.6  # of the 99th-percentile brightness: darker pixels are not paper
_MIN_EDGE_SHARE = 0.04  # of the short side: shorter edge pieces carry no side
_TINT_GAIN = 8.0  # tint distances are a few Lab units; spread them over the 8-bit range


@dataclass(frozen=True)
class Views:
    """Derived images of the small frame that proposals and later checks share."""

    flat: Image  # brightness with dark print closed away
    edges: Image  # colour Canny on the high-passed frame
    # The edges grown by one pixel: exactly the pixels within 1.5 px of an edge (the 3x3
    # chamfer distance of OpenCV's L2 transform is 0.96 or 1.37 for a neighbour, 1.91+
    # beyond), so the ranking needs no distance transform, and the contours are drawn on it.
    near: Image
    # How far each bright pixel's tint is from the counter's (``tint``): a proposal channel
    # and the region evidence's blobs (regions.py), so it is made once per frame.
    tint: Image


def views(lab: Image) -> Views:
    # Channels apart once: OpenCV copies a strided view on every call it is given to.
    lum, a, b = cv2.split(lab)
    # Closing erases dark text and table rules, so a sheet becomes one flat bright shape.
    flat = cv2.GaussianBlur(cv2.morphologyEx(lum, cv2.MORPH_CLOSE, _KERNEL7), (3, 3), 0)
    grads = []
    for channel in (flat, a, b):
        # Subtracting a blurred copy keeps sharp steps (a sheet's border) and drops slow ones
        # (shadows, lighting gradients, glare), which otherwise out-shout a faint border.
        soft = cv2.blur(cv2.blur(channel, (9, 9)), (9, 9))
        sharp = cv2.addWeighted(channel, 2.0, soft, -2.0, 128.0)
        grads.append((cv2.Sobel(sharp, cv2.CV_16S, 1, 0), cv2.Sobel(sharp, cv2.CV_16S, 0, 1)))
    # Colour Canny: per pixel the channel with the steepest step (a blue ID card on a grey
    # counter has almost no brightness step, a white sheet on it no colour step).
    # With OpenCV's 16-bit arithmetic (a Sobel of 8-bit values is at most 1020, so |dx| +
    # |dy| fits): the same numbers as numpy's, ten times faster on a whole image.
    dx, dy = grads[0]
    zero = np.zeros_like(dx)
    best = cv2.add(cv2.absdiff(dx, zero), cv2.absdiff(dy, zero))
    for gx, gy in grads[1:]:
        mag = cv2.add(cv2.absdiff(gx, zero), cv2.absdiff(gy, zero))
        steeper = cv2.compare(mag, best, cv2.CMP_GT)
        dx, dy = cv2.copyTo(gx, steeper, dx), cv2.copyTo(gy, steeper, dy)
        best = cv2.max(mag, best)
    edges = cv2.Canny(dx, dy, 12.0, 30.0)
    return Views(flat, edges, cv2.dilate(edges, _KERNEL3), tint(a, b, flat))


def propose(lab: Image, seen: Views, min_area: float, limit: int,
            lines: bool = False) -> list[Quad]:
    """Up to ``limit`` distinct outlines in small-frame coordinates, most edge-backed first.

    Region outlines (segmentation, edge contours) are cheap; ``lines=True`` asks for the
    Hough line quads instead, which cost more and are only needed when regions fail.
    """
    h, w = lab.shape[:2]
    area = min_area * h * w
    quads: list[Quad] = []
    if lines:
        quads += _line_quads(seen.edges, area)
    else:
        # Brightness minus colour (|a - 128| + |b - 128|), in 8 bits: a sum saturated at 255
        # takes any brightness to 0, as the exact one would.
        grey = np.full(lab.shape[:2], 128, np.uint8)
        chroma = cv2.add(cv2.absdiff(lab[..., 1], grey), cv2.absdiff(lab[..., 2], grey))
        paper = cv2.subtract(seen.flat, chroma)
        for channel in (paper, seen.flat, seen.tint):
            _, seg = cv2.threshold(channel, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
            seg = cv2.morphologyEx(seg, cv2.MORPH_OPEN, _KERNEL5)
            quads += _contour_quads(seg, cv2.RETR_EXTERNAL, area)
        quads += _contour_quads(seen.near, cv2.RETR_LIST, area)
    if not quads:
        return []
    stacked = np.array(quads)
    plausible = _plausible(stacked)
    quads = [q for q, ok in zip(quads, plausible, strict=True) if ok]
    if not quads:
        return []
    scores = _coverage(stacked[plausible], seen)
    kept: list[Quad] = []
    for i in np.argsort(-scores):
        if scores[i] <= 0.1:
            break
        if all(np.abs(quads[i] - q).max() > 2.0 for q in kept):
            kept.append(quads[i])
        if len(kept) == limit:
            break
    return kept


def percentile(grey: Image, q: float) -> int:
    """A percentile of an 8-bit image from its histogram (np.percentile sorts: 10x slower)."""
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    return max(int(np.searchsorted(np.cumsum(hist), q * grey.size)), 1)


def tint(a: Image, b: Image, flat: Image) -> Image:
    """How far each bright pixel's colour is from the counter's, print closed away.

    A white sheet on a light wooden or beige desk differs in tint more than in brightness
    (and a camera's white balance makes "white" bluish or yellowish, so a fixed neutral
    reference fails). The counter covers most of the frame, so its colour is the median;
    dark things (a mouse, a phone, a shadow) are zeroed, since paper is among the brightest.
    ``a`` and ``b`` are the Lab colour channels.

    All in 8 bits: the distances add with saturation and the gain saturates at 255, which
    is where the scaled sum would have been clipped anyway.
    """
    dist = []
    for channel in (a, b):
        closed = cv2.blur(cv2.morphologyEx(channel, cv2.MORPH_CLOSE, _KERNEL7), (5, 5))
        dist.append(cv2.absdiff(closed, np.full_like(closed, percentile(closed, 0.5))))
    scaled = cv2.convertScaleAbs(cv2.add(dist[0], dist[1]), alpha=_TINT_GAIN)
    # flat >= limit, as OpenCV's 8-bit threshold says it (flat > the integer below it)
    limit = math.ceil(_BRIGHT_SHARE * percentile(flat, 0.99)) - 1
    _, bright = cv2.threshold(flat, limit, 255, cv2.THRESH_BINARY)
    out: Image = cv2.bitwise_and(scaled, bright)
    return out


def _plausible(quads: npt.NDArray[np.float64], max_aspect: float = 10.0,
               min_angle: float = 30.0) -> npt.NDArray[np.bool_]:
    """Per quad (all of a frame's at once: there are dozens): could a sheet look like this?
    Not a sliver between wood grain, not a sharp wedge."""
    sides = np.roll(quads, -1, axis=1) - quads
    lengths = np.hypot(sides[..., 0], sides[..., 1])
    pairs = np.stack([lengths[:, 0] + lengths[:, 2], lengths[:, 1] + lengths[:, 3]], axis=1)
    prev = -np.roll(sides, 1, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):  # degenerate quads fail the first test
        cos = np.einsum("nkj,nkj->nk", sides, prev) / (lengths * np.roll(lengths, 1, axis=1))
        angles = np.degrees(np.arccos(np.clip(cos, -1, 1)))
    ok: npt.NDArray[np.bool_] = ((lengths.min(axis=1) >= 2.0)
                                 & (pairs.max(axis=1) <= max_aspect * pairs.min(axis=1))
                                 & np.all(angles >= min_angle, axis=1))
    return ok


def _contour_quads(mask: Image, mode: int, min_area: float) -> list[Quad]:
    quads = []
    contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        if cv2.contourArea(contour) < min_area:
            continue
        hull = cv2.convexHull(contour)
        # The pixel staircase of a hull is not a side: a few pixels of tolerance drop its
        # vertices, and the side fit later recovers the exact border.
        tol = max(_HULL_TOL_PX, _HULL_TOL_SHARE * cv2.arcLength(hull, True))
        poly = np.asarray(cv2.approxPolyDP(hull, tol, True), np.float64).reshape(-1, 2)
        if len(poly) >= 4 and (quad := hull_to_quad(poly)) is not None:
            quads.append(quad)
    return quads


def _line_quads(edges: Image, min_area: float, max_lines: int = 10) -> list[Quad]:
    """Quads from two pairs of near-parallel Hough lines meeting at a healthy angle."""
    h, w = edges.shape
    votes = max(25, int(0.12 * min(h, w)))
    found = cv2.HoughLines(_long_edges(edges, _MIN_EDGE_SHARE * min(h, w)), 1, np.pi / 180,
                           votes)
    if found is None:
        return []
    lines: list[tuple[float, float]] = []
    for rho, theta in found[:, 0, :]:  # strongest first
        if any(_same_line((rho, theta), other) for other in lines):
            continue
        lines.append((float(rho), float(theta)))
        if len(lines) == max_lines:
            break
    if len(lines) < 4:
        return []
    rho, theta = np.array(lines).T
    i, j = np.triu_indices(len(lines), 1)
    parallel = _angles(theta[i], theta[j]) < np.deg2rad(20)
    a1, a2 = i[parallel], j[parallel]  # pairs of near-parallel lines
    p, q = np.triu_indices(len(a1), 1)
    square = _angles(theta[a1[p]], theta[a1[q]]) >= np.deg2rad(45)
    p, q = p[square], q[square]
    # Corners in cyclic order: a1 x b1, b1 x a2, a2 x b2, b2 x a1 (all pairs at once).
    first, second = np.stack([a1[p], a1[q], a2[p], a2[q]]), np.stack([a1[q], a2[p], a2[q], a1[p]])
    t1, t2 = theta[first], theta[second]
    det = np.sin(t2 - t1)
    corners = np.stack([(rho[first] * np.sin(t2) - rho[second] * np.sin(t1)) / det,
                        (rho[second] * np.cos(t1) - rho[first] * np.cos(t2)) / det],
                       axis=-1).transpose(1, 0, 2)  # (quads, 4, 2)
    inside = ((corners[..., 0] > -0.05 * w) & (corners[..., 0] < 1.05 * w)
              & (corners[..., 1] > -0.05 * h) & (corners[..., 1] < 1.05 * h)).all(axis=1)
    edge = np.roll(corners, -1, axis=1) - corners
    cross = (edge[..., 0] * np.roll(edge[..., 1], -1, axis=1)
             - edge[..., 1] * np.roll(edge[..., 0], -1, axis=1))
    convex = (cross > 0).all(axis=1) | (cross < 0).all(axis=1)
    x, y = corners[..., 0], corners[..., 1]
    area = 0.5 * np.abs((x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1)).sum(axis=1))
    keep = inside & convex & (area >= min_area)
    return [order_quad(c) for c in corners[keep]]


def _long_edges(edges: Image, length: float) -> Image:
    """``edges`` without the pieces shorter than ``length`` px in both directions.

    Print, wood grain and sensor noise leave many short edge pieces; they cost the Hough
    transform most of its time (it is linear in edge pixels) and add nothing but false
    lines, while a sheet's side is one long piece even where a cable breaks it.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(edges, connectivity=8)
    long = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= length
    long[0] = False  # the background
    return np.where(long[labels], edges, 0).astype(np.uint8)


def _angle(t1: float, t2: float) -> float:
    return float(_angles(np.array(t1), np.array(t2)))


def _angles(t1: npt.NDArray[np.float64], t2: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Angles between lines given by their normals' directions, in [0, pi/2]."""
    d = np.abs(t1 - t2) % np.pi
    return np.minimum(d, np.pi - d)


def _same_line(a: tuple[float, float], b: tuple[float, float]) -> bool:
    if _angle(a[1], b[1]) > np.deg2rad(6):
        return False
    rho_b = b[0] if abs(a[1] - b[1]) < np.pi / 2 else -b[0]  # theta wrapped around pi
    return abs(a[0] - rho_b) < 10


def _coverage(
    quads: npt.NDArray[np.float64], seen: Views, samples: int = 24
) -> npt.NDArray[np.float64]:
    """Per quad: how much of its sides sit on edges, and on paper-bright-inside edges.

    A point is on an edge when one passes within 1.5 px, on a paper border when besides the
    (text-free) brightness is higher just inside than just outside. Each share is the
    second-worst side's, because a thumb or a glare spot may hide most of one side.
    """
    a = quads
    b = np.roll(quads, -1, axis=1)
    d = b - a
    normal = np.stack([d[..., 1], -d[..., 0]], axis=-1)
    normal /= np.maximum(np.hypot(normal[..., 0], normal[..., 1]), 1e-9)[..., None]
    # Quads are clockwise on screen, so (dy, -dx) points out of the quad.
    t = np.linspace(0.1, 0.9, samples)
    pts = a[:, :, None, :] + t[None, None, :, None] * d[:, :, None, :]
    n = len(quads)

    def sample(img: Image, offset: float, nearest: bool) -> npt.NDArray[Any]:
        where = pts + offset * normal[:, :, None, :]
        mapx = where[..., 0].reshape(n * 4, samples).astype(np.float32)
        mapy = where[..., 1].reshape(n * 4, samples).astype(np.float32)
        mode = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
        return np.asarray(cv2.remap(img, mapx, mapy, mode, borderMode=cv2.BORDER_REPLICATE))

    near = sample(seen.near, 0.0, True) > 0  # within 1.5 px of an edge
    flat = seen.flat.astype(np.float32)
    brighter = sample(flat, -2.0, False) - sample(flat, 2.0, False) >= 2.0
    # A side lying on the frame's own edge (where the frame cuts a sheet) has no edge to show
    # and is not held against the outline: the detector then reports the sheet as cut off.
    h, w = seen.edges.shape
    lo, hi = 1.5, np.array([w - 2.5, h - 2.5])
    framed = (((a < lo) & (b < lo)) | ((a > hi) & (b > hi))).any(axis=2)  # (n, 4)
    on_edge = np.where(framed, 1.0, near.mean(axis=1).reshape(n, 4))
    on_border = np.where(framed, 1.0, (near & brighter).mean(axis=1).reshape(n, 4))
    score = 0.5 * np.sort(on_edge, axis=1)[:, 1] + 0.5 * np.sort(on_border, axis=1)[:, 1]
    return score.astype(np.float64)
