"""Region evidence (kiosk/capture/regions.py): a cable across a real page does not split its
region, a highlighter beside it does not join it, a piece of a sheet does not agree with
its region, and a striped light patch is not evenly lit paper while a shadowed sheet is."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kiosk.capture.proposals import views
from kiosk.capture.regions import agreement, even_share, paper_regions
from tests.support.realset import load

REAL = Path(__file__).resolve().parents[2] / "bench" / "data" / "realdocs-dev"

SHEET = np.array([[150, 60], [330, 70], [320, 220], [140, 210]], np.float64)


def _desk_with_sheet(cable: bool) -> np.ndarray:
    """A 480x270 pinkish desk (BGR) with a bluish-white sheet, optionally a cable across."""
    frame = np.full((270, 480, 3), (200, 205, 225), np.uint8)
    cv2.fillConvexPoly(frame, SHEET.astype(np.int32), (245, 235, 228))
    if cable:
        cv2.line(frame, (0, 140), (479, 150), (20, 20, 20), 4)
    return frame


def test_a_cable_across_the_page_does_not_split_its_region() -> None:
    """The real cluttered-desk datasheet: a cable crosses the page and its pile; without
    the closing the pile falls apart into two blobs (the largest covers 0.56 of the page)."""
    frame = next(f for f in load(REAL) if f.name.startswith("background05_datasheet"))
    image = frame.image()
    small = cv2.resize(image, (480, 270), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB)
    regions = paper_regions(lab, views(lab), 0.004)
    assert regions, "no region found"
    page = (frame.quad + 0.5) * (480 / image.shape[1]) - 0.5
    assert agreement(page, regions[0]) >= 0.75


def test_a_highlighter_beside_the_page_is_not_part_of_its_region() -> None:
    """The real cluttered-desk tax form: a highlighter and an orange touch the page; their
    strong colour keeps them out of its blob (with them in it covered the page at 0.73)."""
    frame = next(f for f in load(REAL) if f.name.startswith("background05_tax"))
    image = frame.image()
    small = cv2.resize(image, (480, 270), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB)
    regions = paper_regions(lab, views(lab), 0.004)
    page = (frame.quad + 0.5) * (480 / image.shape[1]) - 0.5
    assert regions and agreement(page, regions[0]) >= 0.8


def test_a_piece_of_the_sheet_does_not_agree_with_its_region() -> None:
    lab = cv2.cvtColor(_desk_with_sheet(cable=True), cv2.COLOR_BGR2LAB)
    region = paper_regions(lab, views(lab), 0.004)[0]
    upper_half = SHEET.copy()
    upper_half[2:, 1] = 140.0
    assert agreement(upper_half, region) < 0.6


def test_stripes_are_not_evenly_lit_paper() -> None:
    lab = cv2.cvtColor(_desk_with_sheet(cable=False), cv2.COLOR_BGR2LAB)
    assert even_share(views(lab).flat, SHEET) >= 0.95
    striped = _desk_with_sheet(cable=False)
    for y in range(60, 230, 24):  # dark bands as wide as wood grain, wider than print
        striped[y:y + 10] = (striped[y:y + 10] * 0.6).astype(np.uint8)
    lab = cv2.cvtColor(striped, cv2.COLOR_BGR2LAB)
    assert even_share(views(lab).flat, SHEET) < 0.88


def test_a_shadow_across_the_sheet_is_still_evenly_lit_paper() -> None:
    """A shadow darkening half the sheet by a third, its edge soft as a shadow's is: the
    light changes slowly, so the sheet is paper as evenly lit as it can be (against the
    inside's median instead, half of it would count as uneven)."""
    frame = _desk_with_sheet(cable=False).astype(np.float32)
    light = np.clip((np.arange(480, dtype=np.float32) - 200.0) / 60.0, 0.0, 1.0)
    frame *= (1.0 - 0.33 * light)[None, :, None]  # darker to the right, over 60 px
    lab = cv2.cvtColor(frame.astype(np.uint8), cv2.COLOR_BGR2LAB)
    assert even_share(views(lab).flat, SHEET) >= 0.95
