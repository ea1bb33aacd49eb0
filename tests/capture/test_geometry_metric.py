"""Corner ordering, hull shrinking and the SmartDoc Jaccard metric."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.capture.geometry import hull_to_quad, order_quad
from kiosk.capture.metric import corner_error, jaccard

pytestmark = pytest.mark.in_process

SQUARE = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]])


def test_order_quad_starts_top_left_and_runs_clockwise() -> None:
    shuffled = SQUARE[[2, 0, 3, 1]]
    assert np.array_equal(order_quad(shuffled), SQUARE)


def test_hull_with_cut_corners_recovers_the_square() -> None:
    octagon = np.array([[10, 0], [90, 0], [100, 10], [100, 90], [90, 100], [10, 100],
                        [0, 90], [0, 10]], float)
    quad = hull_to_quad(octagon)
    assert quad is not None
    assert np.allclose(quad, SQUARE)


def test_jaccard_perfect_partial_and_miss() -> None:
    assert jaccard(SQUARE.copy(), SQUARE) == 1.0
    assert jaccard(None, SQUARE) == 0.0
    half = SQUARE * np.array([0.5, 1.0])
    assert abs(jaccard(half, SQUARE) - 0.5) < 1e-6


def test_jaccard_is_measured_in_the_page_frame() -> None:
    # The same relative error on a far (small) page and a near (big) page scores the same.
    small, big = SQUARE * 0.2, SQUARE * 5
    off = np.array([1.02, 1.0])
    assert abs(jaccard(small * off, small) - jaccard(big * off, big)) < 1e-6


def test_corner_error_ignores_which_corner_comes_first() -> None:
    moved = SQUARE.copy()
    moved[2] += [3, 4]
    err = corner_error(np.roll(moved, 1, axis=0), SQUARE)
    assert abs(err - 5 / np.hypot(100, 100)) < 1e-9
