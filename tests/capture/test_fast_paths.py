"""The detector's faster steps (issue 16: 33 ms per frame) give the numbers of the plain
computations they replaced, on real frames: the one-pixel dilation is the distance test, the
colour Canny and the tint map in OpenCV's 8/16-bit arithmetic match numpy's wider types,
the shared tint map survives the region evidence, and the plausibility test of all hulls
at once judges each as alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from kiosk.capture.detect import PageDetector
from kiosk.capture.proposals import _KERNEL7, _plausible, percentile, views
from kiosk.capture.regions import paper_regions
from tests.support.realset import load

Image = npt.NDArray[Any]  # 8-bit, as OpenCV returns it
REAL = Path(__file__).resolve().parents[2] / "bench" / "data" / "realdocs-dev"
# A plain desk and the cluttered one (cables, pens, a pile: most edges and tint blobs).
NAMES = ("background01_tax001", "background05_datasheet001")


def _coarse_lab(name: str) -> Image:
    """The detector's own coarse Lab copy of a real frame."""
    frame = next(f for f in load(REAL) if f.name.startswith(name))
    lab: Image = PageDetector()._levels(frame.image()).lab
    return lab


@pytest.fixture(scope="module", params=NAMES)
def lab(request: pytest.FixtureRequest) -> Image:
    return _coarse_lab(request.param)


def test_near_edges_are_the_pixels_within_one_and_a_half_of_an_edge(
        lab: Image) -> None:
    seen = views(lab)
    dist = cv2.distanceTransform(cv2.bitwise_not(seen.edges), cv2.DIST_L2, 3)
    assert seen.edges.any()
    assert np.array_equal(seen.near > 0, dist <= 1.5)


def _reference_edges(lab: Image, flat: Image
                     ) -> Image:
    """The colour Canny as first written: per pixel the steepest channel, in int32."""
    grads = []
    for channel in (flat, lab[..., 1], lab[..., 2]):
        soft = cv2.blur(cv2.blur(channel, (9, 9)), (9, 9))
        sharp = cv2.addWeighted(channel, 2.0, soft, -2.0, 128.0)
        grads.append((cv2.Sobel(sharp, cv2.CV_16S, 1, 0), cv2.Sobel(sharp, cv2.CV_16S, 0, 1)))
    dx, dy = grads[0]
    best = np.abs(dx.astype(np.int32)) + np.abs(dy.astype(np.int32))
    for gx, gy in grads[1:]:
        mag = np.abs(gx.astype(np.int32)) + np.abs(gy.astype(np.int32))
        steeper = mag > best
        dx, dy = np.where(steeper, gx, dx), np.where(steeper, gy, dy)
        best = np.maximum(mag, best)
    edges: Image = cv2.Canny(dx, dy, 12.0, 30.0)
    return edges


def test_the_colour_canny_matches_its_int32_reference(lab: Image) -> None:
    seen = views(lab)
    flat = cv2.GaussianBlur(cv2.morphologyEx(lab[..., 0], cv2.MORPH_CLOSE, _KERNEL7), (3, 3), 0)
    assert np.array_equal(seen.flat, flat)
    assert np.array_equal(seen.edges, _reference_edges(lab, flat))


def _reference_tint(lab: Image, flat: Image
                    ) -> Image:
    """The tint map as first written: float distances, clipped, dark pixels zeroed."""
    dist = np.zeros(flat.shape, np.float32)
    for channel in (lab[..., 1], lab[..., 2]):
        closed = cv2.blur(cv2.morphologyEx(channel, cv2.MORPH_CLOSE, _KERNEL7), (5, 5))
        dist += cv2.absdiff(closed, np.full_like(closed, percentile(closed, 0.5))).astype(
            np.float32)
    bright = flat >= 0.6 * percentile(flat, 0.99)
    out: Image = np.where(bright, np.clip(dist * 8.0, 0, 255), 0).astype(
        np.uint8)
    return out


def test_the_8_bit_tint_map_matches_its_float_reference(lab: Image) -> None:
    seen = views(lab)
    reference = _reference_tint(lab, seen.flat)
    assert reference.any() and not reference.all()  # both bright and dark pixels were judged
    assert np.array_equal(seen.tint, reference)


def test_the_region_evidence_leaves_the_shared_tint_map_alone(
        lab: Image) -> None:
    """The proposals and the region blobs share one tint map; the blobs mask strongly
    coloured pixels out of it, which must not reach the proposals' copy."""
    seen = views(lab)
    before = seen.tint.copy()
    paper_regions(lab, seen, 0.004)
    assert np.array_equal(seen.tint, before)


def test_all_hulls_at_once_are_judged_as_each_alone() -> None:
    square = [[0, 0], [100, 0], [100, 100], [0, 100]]
    sliver = [[0, 0], [300, 0], [300, 20], [0, 20]]  # aspect 15
    wedge = [[0, 0], [100, 0], [100, 15], [95, 10]]  # a sharp corner
    degenerate = [[0, 0], [0, 0], [100, 100], [0, 100]]  # a side of length 0
    tilted = [[10, 0], [110, 20], [100, 160], [0, 140]]
    quads = np.array([square, sliver, wedge, degenerate, tilted], np.float64)
    judged = _plausible(quads)
    alone = [bool(_plausible(q[None])[0]) for q in quads]
    assert judged.tolist() == alone == [True, False, False, False, True]
