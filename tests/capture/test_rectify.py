"""Flattening to the real aspect ratio, format snapping and the achieved dpi."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.capture.geometry import order_quad
from kiosk.capture.rectify import measured_aspect, rectangle_misfit, rectify
from kiosk.capture.sizes import A4, F4, ID1, snap
from tests.support.evalset import Kind, Sample, render
from tests.support.realset import load

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize("kind", [Kind.LETTER, Kind.KK, Kind.ID_CARD, Kind.RECEIPT])
def test_rectified_page_has_the_documents_aspect(clean_by_kind: dict[Kind, list[Sample]],
                                                 kind: Kind) -> None:
    for sample in clean_by_kind[kind]:
        assert sample.quad is not None and sample.size is not None
        quad = order_quad(sample.quad)
        flat = rectify(sample.image(), quad)
        h, w = flat.image.shape[:2]
        long_short = max(h, w) / min(h, w)
        assert abs(long_short - sample.size.aspect) / sample.size.aspect < 0.01
        assert flat.size is not None
        if kind is Kind.RECEIPT:
            assert flat.size.name.startswith("receipt")
        else:
            assert flat.size.name == sample.size.name
        assert 0 < flat.dpi <= 300


def test_perspective_does_not_fool_the_aspect() -> None:
    # A4 seen at a steep angle: the side lengths disagree, the projective estimate does not.
    sample = render(123, "hard", kind=Kind.LETTER)
    assert sample.quad is not None and sample.size is not None
    quad = order_quad(sample.quad)
    aspect = measured_aspect(quad, (1920, 1080))
    aspect = max(aspect, 1 / aspect)
    assert abs(aspect - sample.size.aspect) / sample.size.aspect < 0.01


def test_real_and_tilted_pages_are_views_of_a_rectangle() -> None:
    real = load(Path(__file__).resolve().parents[2] / "bench" / "data" / "realdocs-dev")
    assert len(real) == 12
    for frame in real:  # handheld phone frames: true corners, perspective of all kinds
        assert rectangle_misfit(frame.quad, (1920, 1080)) < 0.02, frame.name
    steep = render(123, "hard", kind=Kind.LETTER)
    assert steep.quad is not None
    assert rectangle_misfit(order_quad(steep.quad), (1920, 1080)) < 0.02


def test_shapes_no_page_makes_are_told_apart() -> None:
    # The outline a pile's edge, a cable and a mug gave on a cluttered desk (1280x720): its
    # corners measure 52-120 degrees, and no focal length makes them right angles in 3D.
    pieces = np.array([[1056, 171], [1233, 311], [1216, 387], [1055, 295]], np.float64)
    assert rectangle_misfit(pieces, (1280, 720)) > 0.5
    in_line = np.array([[0, 0], [100, 0], [100, 100], [100, 200]], np.float64)  # a triangle
    assert rectangle_misfit(in_line, (640, 480)) == 1.0


def test_output_is_capped_at_300_dpi_when_the_photo_has_more() -> None:
    image = np.zeros((4000, 3000, 3), np.uint8)
    quad = np.array([[100.0, 20.0], [2900.0, 20.0], [2900.0, 3980.0], [100.0, 3980.0]])
    cv2.fillConvexPoly(image, quad.astype(np.int32), (255, 255, 255))
    flat = rectify(image, quad)
    assert flat.size == A4
    assert flat.dpi == pytest.approx(300.0)
    assert flat.image.shape[:2] == (3508, 2480)


def test_low_resolution_photo_records_the_achieved_dpi() -> None:
    image = np.zeros((600, 800, 3), np.uint8)
    quad = np.array([[100.0, 50.0], [454.0, 50.0], [454.0, 550.0], [100.0, 550.0]])
    flat = rectify(image, quad)
    assert flat.size == A4
    assert flat.dpi == pytest.approx(500 / (297 / 25.4), rel=0.02)  # ~43 dpi


def test_camera_scale_settles_id_card_against_folio() -> None:
    aspect = (ID1.aspect + F4.aspect) / 2  # between the two: ambiguous from shape alone
    assert snap(aspect, 340.0, px_per_mm=4.0) == ID1  # 85 mm long
    assert snap(aspect, 1320.0, px_per_mm=4.0) == F4  # 330 mm long
    assert snap(1.2, 500.0) is None


def test_receipt_width_follows_the_camera_scale() -> None:
    size = snap(3.0, 3 * 58 * 4.0, px_per_mm=4.0)
    assert size is not None and size.width_mm == 58.0
