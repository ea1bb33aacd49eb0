"""Page detection on synthetic frames with exact truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.capture.detect import (
    PageDetector,
    Reason,
    _line_sides,
    _run_on_sides,
    _sheet_goes_on,
    _sides_running_off,
)
from kiosk.capture.metric import jaccard
from tests.support.evalset import FRAME_SIZE, Kind, Sample, Scene, render

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize("kind", [Kind.LETTER, Kind.KK, Kind.ID_CARD, Kind.RECEIPT])
def test_each_document_kind_is_found_accurately(clean_by_kind: dict[Kind, list[Sample]],
                                                kind: Kind) -> None:
    detector = PageDetector()
    for sample in clean_by_kind[kind]:
        found = detector.detect(sample.image())
        assert found.reason is Reason.OK, sample.name
        assert sample.quad is not None
        assert jaccard(found.quad, sample.quad) >= 0.97, sample.name
        assert found.confidence > 0.5


def test_corners_are_clockwise_from_top_left(clean_by_kind: dict[Kind, list[Sample]]) -> None:
    found = PageDetector().detect(clean_by_kind[Kind.LETTER][0].image())
    quad = found.quad
    assert quad is not None
    assert int(np.argmin(quad.sum(axis=1))) == 0
    x, y = quad[:, 0], quad[:, 1]
    signed_area = 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    assert signed_area > 0  # clockwise on screen, where y points down
    assert (quad >= 0).all() and (quad[:, 0] < FRAME_SIZE[0]).all()


def test_hard_frames_mostly_found() -> None:
    detector = PageDetector()
    samples = [render(2_000_000 + i, "hard") for i in range(6)]
    scores = [jaccard(detector.detect(s.image()).quad, s.quad) for s in samples
              if s.quad is not None]
    assert float(np.mean(scores)) >= 0.9


def test_empty_tray_has_no_page(scene_frames: dict[Scene, list[Sample]]) -> None:
    detector = PageDetector()
    for sample in scene_frames[Scene.EMPTY]:
        found = detector.detect(sample.image())
        assert found.quad is None, sample.name
        assert found.reason is Reason.NO_PAGE
        assert found.confidence == 0.0


def test_page_running_off_the_frame_is_flagged_cut_off(
        scene_frames: dict[Scene, list[Sample]]) -> None:
    detector = PageDetector()
    for sample in scene_frames[Scene.CUT_OFF]:
        found = detector.detect(sample.image())
        assert found.quad is None, sample.name
        assert found.reason is Reason.CUT_OFF, sample.name


def test_page_bigger_than_the_frame_is_not_a_page() -> None:
    sample = render(5000, "realistic", Scene.CLEAN, Kind.LETTER)
    image = sample.image()
    assert sample.quad is not None
    x0, y0 = sample.quad.min(axis=0).astype(int) + 60
    x1, y1 = sample.quad.max(axis=0).astype(int) - 60
    inside = np.ascontiguousarray(image[y0:y1, x0:x1])  # nothing but the sheet's middle
    assert PageDetector().detect(inside).quad is None


def test_dark_frame_is_reported_too_dark() -> None:
    black = np.full((720, 1280, 3), 12, np.uint8)
    assert PageDetector().detect(black).reason is Reason.TOO_DARK


def test_grey_frames_are_accepted(clean_by_kind: dict[Kind, list[Sample]]) -> None:
    sample = clean_by_kind[Kind.KK][0]
    grey = sample.image()[..., 1].copy()
    found = PageDetector().detect(grey)
    assert sample.quad is not None
    assert jaccard(found.quad, sample.quad) >= 0.95


@pytest.mark.parametrize("frame", [
    np.zeros((0, 0, 3), np.uint8),
    np.zeros((10, 10, 3), np.float32),
    np.zeros((10, 10, 4), np.uint8),
])
def test_unusable_frames_raise(frame: np.ndarray) -> None:
    with pytest.raises(ValueError, match="8-bit"):
        PageDetector().detect(frame)


def test_json_shape(clean_by_kind: dict[Kind, list[Sample]]) -> None:
    found = PageDetector().detect(clean_by_kind[Kind.ID_CARD][0].image())
    data = found.as_json()
    assert data["reason"] == "ok"
    assert isinstance(data["quad"], list) and len(data["quad"]) == 4
    assert all(len(p) == 2 for p in data["quad"])


def test_desk_split_never_answers_a_wrong_page() -> None:
    """Stacks, cables across edges, small bright objects: a quad, if any, is the page."""
    detector = PageDetector()
    found_any = 0
    for seed in range(4_000_000, 4_000_008):
        sample = render(seed, "desk", Scene.CLEAN)
        assert sample.quad is not None
        found = detector.detect(sample.image())
        if found.quad is not None:
            found_any += 1
            assert jaccard(found.quad, sample.quad) >= 0.8, sample.name
    assert found_any >= 6


def test_a_crisp_photo_on_a_faint_card_is_not_the_document() -> None:
    """desk-clean-4000043: an ID card (edges 0.85 supported) on a light counter, its photo's
    border crisp (1.0): the card is the answer, not the photo."""
    sample = render(4_000_043, "desk", Scene.CLEAN)
    assert sample.quad is not None
    found = PageDetector().detect(sample.image())
    assert found.quad is not None and jaccard(found.quad, sample.quad) >= 0.95


def test_lines_through_print_make_no_wrong_page() -> None:
    """A hard letter where Hough lines through print and short edge pieces once framed a
    wrong quad (Jaccard 0.35, confidence 0.68): the line proposals now see only edge pieces
    long enough to be a sheet's side."""
    sample = render(2_000_054, "hard", Scene.CLEAN)
    assert sample.quad is not None
    found = PageDetector().detect(sample.image())
    assert found.quad is None or jaccard(found.quad, sample.quad) >= 0.9


@pytest.mark.parametrize(("seed", "split"), [(1_000_029, "realistic"), (1_000_088, "realistic"),
                                             (2_000_045, "hard"), (2_000_087, "hard")])
def test_a_side_on_a_neighbours_edge_is_not_the_sheets(seed: int, split: str) -> None:
    """Frames where one side went out to the edge of what lies next to the page (a phone
    beside a card: Jaccard 0.73; a glare patch on wood below a letter: 0.58) and was taken:
    the strip just inside that side is not the page's margin (another tint, or far darker),
    so the side is fitted again to its innermost line."""
    sample = render(seed, split, Scene.CLEAN)
    assert sample.quad is not None
    found = PageDetector().detect(sample.image())
    assert found.quad is not None and jaccard(found.quad, sample.quad) >= 0.97, sample.name


@pytest.mark.parametrize("seed", [2_000_160, 2_000_168, 2_000_174])
def test_a_blurred_page_the_middle_level_saw_whole_is_confirmed(seed: int) -> None:
    """Light pages on light counters under heavy blur, noise and JPEG: the middle level fits
    every side at 0.69-0.75, the full-resolution pass reads them at only 0.49-0.59 (the edge
    spread wider than its narrow tolerance). They were answered "no page"."""
    sample = render(seed, "hard", Scene.CLEAN)
    assert sample.quad is not None
    found = PageDetector().detect(sample.image())
    assert found.quad is not None and jaccard(found.quad, sample.quad) >= 0.95, sample.name


def test_an_outline_with_a_side_on_a_shadow_still_needs_full_confirmation() -> None:
    """hard-clean-2000041: the middle level put a family card's lower side on a shadow's
    edge across it (that side at 0.41, Jaccard 0.655); the full-resolution pass confirms
    only 0.52, and such an outline must pass the usual 0.6."""
    sample = render(2_000_041, "hard", Scene.CLEAN)
    assert sample.quad is not None
    found = PageDetector().detect(sample.image())
    assert found.quad is None or jaccard(found.quad, sample.quad) >= 0.9


def test_a_card_half_in_shadow_is_found_on_its_paper_region() -> None:
    """hard-clean-2000103: a family card on a light counter with a shadow across half of it;
    its sides are only partly on edges (one at 0.31), so only its paper region can vouch
    for it. Against the inside's median the shadowed half read uneven (0.82 of the inside
    evenly lit, as uneven as a glare spot on wood grain); measured against the light around
    each point it reads 0.98, and the card is found, outlined but never auto-captured."""
    sample = render(2_000_103, "hard", Scene.CLEAN)
    assert sample.quad is not None
    found = PageDetector().detect(sample.image())
    assert found.quad is not None and jaccard(found.quad, sample.quad) >= 0.95
    assert found.region_backed


def test_a_grey_object_in_a_glare_spot_is_not_a_document() -> None:
    """hard-empty-2010051: a mid-grey phone-sized box lies in a glare spot on a green
    counter. Every side is on an edge and it is neutral and bright enough against the frame,
    so it was answered with confidence 1.0; paper is never far darker than what it lies on,
    and the box is 0.58 of the glare around it."""
    sample = render(2_010_051, "hard", Scene.EMPTY)
    assert PageDetector().detect(sample.image()).quad is None


def _page_off_the_top(rule_y: int) -> np.ndarray:
    """A white page on a grey counter running off the frame's top, a printed rule across it."""
    image = np.full((480, 640, 3), 110, np.uint8)
    image[:400, 150:450] = 235
    image[rule_y - 2: rule_y + 2, 150:450] = 30
    return image


def test_a_printed_rule_is_not_a_side_when_the_sheet_goes_on_past_it() -> None:
    image = _page_off_the_top(rule_y=120)
    below_rule = np.array([[150, 120], [449, 120], [449, 399], [150, 399]], np.float64)
    assert _run_on_sides(image, below_rule).tolist() == [True, False, False, False]


def test_a_sheets_own_corners_end_its_sides() -> None:
    image = np.full((480, 640, 3), 110, np.uint8)
    image[60:400, 150:450] = 235
    image[200:204, 150:450] = 30  # print inside does not make a side run on
    sheet = np.array([[150, 60], [449, 60], [449, 399], [150, 399]], np.float64)
    assert not _run_on_sides(image, sheet).any()


def test_a_side_running_on_out_of_the_picture_gives_the_sheet_away() -> None:
    """The page runs off the frame's top; the outline below a printed rule has a faint
    right neighbour (a glare patch on the counter beside it), so only its left side runs on
    past the rule, but all the way to the border."""
    image = _page_off_the_top(rule_y=120)
    image[:, 450:] = 225  # the counter right of the page as bright as paper: no step there
    below_rule = np.array([[150, 120], [449, 120], [449, 399], [150, 399]], np.float64)
    assert not _run_on_sides(image, below_rule).any()  # needs both neighbours to run on
    assert _sides_running_off(image, below_rule).tolist() == [False, False, False, True]


def test_a_sheet_inside_the_frame_runs_off_nowhere() -> None:
    """Its sides end at its corners; a cable lying in line with one of them, from the
    corner to the frame's border, is a line on the counter, not the sheet's step."""
    image = np.full((480, 640, 3), 110, np.uint8)
    image[60:400, 150:450] = 235
    image[400:, 447:452] = 25
    sheet = np.array([[150, 60], [449, 60], [449, 399], [150, 399]], np.float64)
    assert not _sides_running_off(image, sheet).any()


def test_a_cable_across_the_page_is_not_a_side() -> None:
    image = np.full((480, 640, 3), 110, np.uint8)
    image[60:400, 150:450] = 235
    image[200:205, 100:520] = 25  # a black cable lying across the page and the counter
    below_cable = np.array([[150, 205], [449, 205], [449, 399], [150, 399]], np.float64)
    assert _line_sides(image, below_cable).tolist() == [True, False, False, False]
    sheet = np.array([[150, 60], [449, 60], [449, 399], [150, 399]], np.float64)
    assert not _line_sides(image, sheet).any()  # a dark counter stays dark past the border


def test_a_wide_blurred_cable_across_the_page_is_not_a_side() -> None:
    """Out of focus, a cable and its shadow span some 15 px of the middle level: paper
    again is looked for up to 21 px past the side."""
    image = np.full((480, 640, 3), 110, np.uint8)
    image[60:400, 150:450] = 235
    image[188:205, 100:520] = 25  # 17 px of cable and shadow
    blurred = cv2.GaussianBlur(image, (0, 0), 2.0)
    below_cable = np.array([[150, 205], [449, 205], [449, 399], [150, 399]], np.float64)
    assert _line_sides(blurred, below_cable).tolist() == [True, False, False, False]


def _header_near_the_top(counter: int) -> np.ndarray:
    """A white page on a counter of grey level ``counter``, running off the frame's top:
    a grey band of small type ends 10 px below the border, blank margin above it."""
    image = np.full((480, 640, 3), counter, np.uint8)
    image[:400, 150:450] = 235
    image[10:60, 170:430] = 170  # the header's print, as the middle level blurs it
    return image


def test_the_edge_of_print_near_the_border_is_not_a_side() -> None:
    """Above the outline's top side lies the page's own blank margin up to the border,
    lighter than the print just inside: the sheet goes on out of the picture."""
    image = _header_near_the_top(counter=110)
    below_margin = np.array([[170, 10], [429, 10], [429, 399], [170, 399]], np.float64)
    assert _sheet_goes_on(image, below_margin).tolist() == [True, False, False, False]


def test_a_page_near_the_border_keeps_its_sides() -> None:
    """The page's own top side 10 px below the border, with a counter as light as paper
    (a light desk) or darker beyond it: the counter is not lighter than the page."""
    for counter in (110, 228):
        image = np.full((480, 640, 3), counter, np.uint8)
        image[10:400, 150:450] = 235
        sheet = np.array([[150, 10], [449, 10], [449, 399], [150, 399]], np.float64)
        assert not _sheet_goes_on(image, sheet).any(), counter
