"""How good a detected outline is, scored as in the SmartDoc 2015 challenge (Challenge 1).

The Jaccard index is taken in the true page's own frame: both outlines are mapped through the
homography that flattens the true page, then intersected. Measuring in the page frame keeps a
far-away (small) page from being scored more leniently than a close one. A miss scores 0.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import Quad


def _flattener(truth: Quad) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    top = np.linalg.norm(truth[1] - truth[0])
    side = np.linalg.norm(truth[3] - truth[0])
    w, h = float(top), float(side)
    rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(truth.astype(np.float32), rect), rect


def jaccard(found: Quad | None, truth: Quad) -> float:
    """Intersection over union of ``found`` and ``truth`` in the page's frame; 0 for a miss."""
    if found is None:
        return 0.0
    hom, rect = _flattener(truth)
    mapped = cv2.perspectiveTransform(found.reshape(1, 4, 2).astype(np.float64), hom)[0]
    # A corner mapped behind the camera (w <= 0) cannot be a sensible match.
    homog = np.hstack([found, np.ones((4, 1))]) @ hom.T
    if np.any(homog[:, 2] <= 0) or not np.all(np.isfinite(mapped)):
        return 0.0
    hull = cv2.convexHull(mapped.astype(np.float32))
    inter, _ = cv2.intersectConvexConvex(hull, rect)
    union = float(cv2.contourArea(hull)) + float(cv2.contourArea(rect)) - float(inter)
    return float(inter) / union if union > 0 else 0.0


def corner_error(found: Quad, truth: Quad) -> float:
    """Worst corner distance over the true outline's diagonal, for the best corner pairing."""
    diag = float(max(np.linalg.norm(truth[2] - truth[0]), np.linalg.norm(truth[3] - truth[1])))
    best = np.inf
    for order in (found, found[::-1]):
        for shift in range(4):
            dist = np.linalg.norm(np.roll(order, shift, axis=0) - truth, axis=1).max()
            best = min(best, float(dist))
    return best / diag
