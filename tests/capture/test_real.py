"""The detector on real camera frames (bench/data/realdocs-dev, SmartDoc 2015, CC BY 4.0).

Real photos are the measure (issue 16): plain-desk pages must be found to the pixel, and on
the cluttered desk (stacked sheets, cables, pens across the edges, a highlighter, a magazine)
the detector may stay silent but must never answer with the wrong thing.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.capture.detect import DetectorConfig, PageDetector, Reason, _white_of
from kiosk.capture.metric import jaccard
from tests.support.evalset import Scene, render
from tests.support.realset import RealFrame, load
from tests.support.realvariants import SIDES, VARIANTS, cut, cut_at

pytestmark = pytest.mark.in_process

REAL = Path(__file__).resolve().parents[2] / "bench" / "data" / "realdocs-dev"
FRAMES = load(REAL)
PLAIN = [f for f in FRAMES if f.name.startswith("background01")]


def test_the_set_is_complete() -> None:
    assert len(FRAMES) == 12 and len(PLAIN) == 6
    assert all(f.path.is_file() and f.size_mm == (210.0, 297.0) for f in FRAMES)


@pytest.mark.parametrize("frame", PLAIN, ids=lambda f: f.name)
def test_plain_desk_pages_are_found(frame: RealFrame) -> None:
    found = PageDetector().detect(frame.image())
    assert found.reason is Reason.OK
    assert jaccard(found.quad, frame.quad) >= 0.95
    assert found.confidence >= 0.9


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.name)
def test_never_a_wrong_quad(frame: RealFrame) -> None:
    """What auto-capture may take (an edge-backed find) is the page to 0.9; a region-backed
    find, outlined for guidance but never captured by itself, still covers most of it."""
    found = PageDetector().detect(frame.image())
    if found.quad is not None:
        assert jaccard(found.quad, frame.quad) >= (0.85 if found.region_backed else 0.9), found
    else:  # on the cluttered desk a magazine runs off the frame's edge: cut_off is fair too
        assert found.reason in (Reason.NO_PAGE, Reason.CUT_OFF)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("frame", PLAIN, ids=lambda f: f.name)
def test_a_page_partly_out_of_the_frame_is_never_answered(frame: RealFrame, side: str) -> None:
    """Not the biggest shape still inside (a form's printed rule closing an outline with
    the page's sides): the resident is to move the page in."""
    detector = PageDetector()
    for share in (0.08, 0.12):
        found = detector.detect(cut(frame.image(), frame.quad, side, share))
        assert found.quad is None, (side, share, found)


@pytest.mark.parametrize(("name", "side", "share"), [("tax", "left", 0.5), ("tax", "bottom", 0.08),
                                                  ("datasheet", "left", 0.2)])
def test_a_page_running_off_a_smaller_camera_is_never_answered(name: str, side: str,
                                                                share: float) -> None:
    """A page slid off the frame, seen at 0.9 of the camera's resolution: the outline
    closing on a printed rule (a column, the table's last rule) has one neighbour faint
    against the counter, and the page's other side runs on to the frame's border (for the
    datasheet, 10 px past the corner)."""
    frame = next(f for f in PLAIN if name in f.name)
    found = PageDetector().detect(cut_at(frame.image(), frame.quad, side, share, 0.9))
    assert found.quad is None, found


@pytest.mark.parametrize(("name", "side", "share", "scale"),
                         [("background01_datasheet", "top", 0.08, 0.75),
                          ("background05_letter", "bottom", 0.2, 0.9)])
def test_a_page_running_off_the_frame_is_not_closed_on_print(name: str, side: str,
                                                             share: float,
                                                             scale: float) -> None:
    """Outlines once answered (and auto-capturable) for pages slid off the frame: the
    datasheet's closed on its header's print 6-9 px below the border, its blank top margin
    beyond it; the cluttered letter's on the cable across the page, past which the page's
    printed lines read 0.83 of its paper."""
    frame = next(f for f in FRAMES if f.name.startswith(name))
    found = PageDetector().detect(cut_at(frame.image(), frame.quad, side, share, scale))
    assert found.quad is None, found


@pytest.mark.parametrize(("name", "side", "share", "scale"),
                         [("background05_datasheet", "top", 0.08, 0.75),
                          ("background05_patent", "top", 0.5, 0.75),
                          ("background05_tax", "bottom", 0.35, 0.9)])
def test_a_paper_region_running_off_the_frame_vouches_for_no_page(name: str, side: str,
                                                                  share: float,
                                                                  scale: float) -> None:
    """Cluttered-desk pages slid off the frame were outlined on their paper regions' word
    (never auto-captured, but drawn as the page): the paper goes on past the frame, so
    what is left inside it is not a page."""
    frame = next(f for f in FRAMES if f.name.startswith(name))
    found = PageDetector().detect(cut_at(frame.image(), frame.quad, side, share, scale))
    assert found.quad is None, found


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_plain_desk_pages_are_found_through_other_cameras(variant: str) -> None:
    """The plain desk through a 720p or 360p camera, closer, turned, out of focus, as a
    poor JPEG, noisy, darker or brighter: every page is still found to 0.9."""
    detector = PageDetector()
    for frame in PLAIN:
        image, truth = VARIANTS[variant](frame.image(), frame.quad)
        found = detector.detect(image)
        assert found.quad is not None, frame.name
        assert jaccard(found.quad, truth) >= 0.9, frame.name


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.name)
def test_another_camera_resolution_gives_no_wrong_quad(frame: RealFrame) -> None:
    """A 720p camera sees the same desks: plain-desk pages found, and on the cluttered desk
    no outline of pieces of a pile, a cable and a mug (once accepted at Jaccard 0.00)."""
    image, truth = VARIANTS["720p"](frame.image(), frame.quad)
    found = PageDetector().detect(image)
    if frame in PLAIN:
        assert found.quad is not None and jaccard(found.quad, truth) >= 0.95
    elif found.quad is not None:
        assert jaccard(found.quad, truth) >= 0.85, found


@pytest.mark.parametrize(("name", "variant"), [("background05_patent", "out of focus"),
                                               ("background05_datasheet", "darker"),
                                               ("background05_datasheet", "360p"),
                                               ("background05_datasheet", "out of focus"),
                                               ("background05_magazine", "out of focus")])
def test_a_cable_or_a_pile_is_not_taken_for_a_side(name: str, variant: str) -> None:
    """Out of focus, darker or at 360p the cluttered desk once gave outlines closed by the
    cable across the page (Jaccard 0.09-0.56): a dark line on paper is not a border, even
    blurred to 0.62 of the paper's lightness or, with its shadow, 15 px wide."""
    frame = next(f for f in FRAMES if f.name.startswith(name))
    image, truth = VARIANTS[variant](frame.image(), frame.quad)
    found = PageDetector().detect(image)
    assert found.quad is None or jaccard(found.quad, truth) >= 0.85, found


def _clutter_without_the_page() -> np.ndarray:
    """The cluttered desk's right part: orange, highlighter, mug, cable, no page."""
    frame = next(f for f in FRAMES if f.name.startswith("background05_patent"))
    right = int(frame.quad[:, 0].max()) + 20
    return np.ascontiguousarray(frame.image()[:, right:])


def test_small_bright_objects_are_not_documents() -> None:
    clutter = _clutter_without_the_page()
    assert clutter.shape[1] > 400
    assert PageDetector().detect(clutter).quad is None


def test_a_page_running_off_the_frame_is_cut_off() -> None:
    frame = PLAIN[0]
    cut = int(frame.quad[:, 0].mean())  # the frame's right edge through the middle of the page
    found = PageDetector().detect(np.ascontiguousarray(frame.image()[:, :cut]))
    assert found.quad is None and found.reason is Reason.CUT_OFF


def test_a_strongly_coloured_sheet_is_not_a_document() -> None:
    frame = PLAIN[1]
    image = frame.image()
    pts = np.round(frame.quad).astype(np.int32)
    cv2.fillConvexPoly(image, pts, (0, 230, 255))  # the page painted highlighter yellow
    assert PageDetector().detect(image).quad is None
    grey = frame.image()
    cv2.fillConvexPoly(grey, pts, (235, 238, 240))  # the same outline in near-white stays a page
    found = PageDetector().detect(grey)
    assert found.quad is not None and jaccard(found.quad, frame.quad) >= 0.95


@pytest.mark.parametrize("tone", [2.2, 0.6], ids=["dark-and-tinted", "washed-out"])
def test_a_colour_cast_does_not_hide_the_page(tone: float) -> None:
    """A darker tone curve on the plain-desk frames pushes the white page 33-53 Lab units
    from neutral (a warm room light or a camera's white balance does the same): taken as a
    coloured object, two of the six pages were "no page". The frame's own white is now
    taken out first, so each is found as it is in the original."""
    curve = np.clip((np.arange(256) / 255.0) ** tone * 255, 0, 255).astype(np.uint8)
    for frame in PLAIN:
        found = PageDetector().detect(cv2.LUT(frame.image(), curve))
        assert found.quad is not None, frame.name
        assert jaccard(found.quad, frame.quad) >= 0.95, frame.name


@pytest.mark.parametrize("gains", [(1.0, 0.8, 1.0), (1.0, 0.85, 0.55)], ids=["magenta", "cool"])
def test_a_strong_cast_does_not_hide_the_page(gains: tuple[float, float, float]) -> None:
    """A magenta or very cool light, darkened: white paper reads 35-55 Lab units from grey.
    The frame's white is taken out up to 45 units (up to 15 while outlines of print or desk
    could still pass once paper read white again): each page is found as in the original."""
    curve = np.clip((np.arange(256) / 255.0) ** 1.5 * 255, 0, 255).astype(np.uint8)
    for frame in PLAIN:
        tinted = np.clip(frame.image() * np.array(gains, np.float32), 0, 255).astype(np.uint8)
        found = PageDetector().detect(cv2.LUT(tinted, curve))
        assert found.quad is not None, frame.name
        assert jaccard(found.quad, frame.quad) >= 0.95, frame.name


def test_the_frames_white_is_its_brightest_pixels_colour_up_to_the_cap() -> None:
    """The brightest pixels set the white; a highlighter-yellow frame's white moves only by
    the cap, so the highlighter stays far from it and the paper check still refuses it."""
    lab = np.full((40, 60, 3), (120, 100, 160), np.uint8)
    lab[:10, :20] = (250, 134, 120)  # the brightest pixels: +6 a, -8 b, a mild cast
    assert _white_of(lab, max_cast=15.0) == (134.0, 120.0)
    yellow = np.full((40, 60, 3), (230, 120, 210), np.uint8)  # |a| + |b| = 90
    white_a, white_b = _white_of(yellow, max_cast=15.0)
    assert abs(white_a - 128) + abs(white_b - 128) == pytest.approx(15.0)
    assert abs(120 - white_a) + abs(210 - white_b) == pytest.approx(75.0)


def test_following_the_previous_page_gives_the_same_answer() -> None:
    detector = PageDetector()
    for frame in PLAIN:
        image = frame.image()
        cold = detector.detect(image)
        assert cold.quad is not None
        followed = detector.detect(image, hint=cold.quad)
        assert followed.reason is Reason.OK and followed.quad is not None
        assert np.abs(followed.quad - cold.quad).max() < 1.0


def test_a_stale_hint_is_not_an_answer() -> None:
    """The page was taken away: last frame's outline must not survive on the bare desk."""
    detector = PageDetector()
    clutter = _clutter_without_the_page()
    stale = np.array([[100.0, 100.0], [400.0, 100.0], [400.0, 500.0], [100.0, 500.0]])
    assert detector.detect(clutter, hint=stale).quad is None
    moved = detector.detect(PLAIN[0].image(), hint=PLAIN[1].quad)  # another frame's page
    assert moved.quad is not None and jaccard(moved.quad, PLAIN[0].quad) >= 0.95


def test_a_far_away_card_is_too_small_not_absent() -> None:
    """The plain-desk page shrunk to a card's size in the frame: say "bring it closer"."""
    frame = PLAIN[1]
    image = frame.image()
    desk = cv2.resize(image[:, :500], (image.shape[1], image.shape[0]))  # page-free desk
    shrink = 0.21  # short side 84 px: under 8 % of 1080, over the smallest outline considered
    small = cv2.resize(image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    offset = np.array([900.0, 500.0])
    quad = (frame.quad + 0.5) * shrink - 0.5 + offset
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255)
    placed = np.zeros_like(image)
    h, w = small.shape[:2]
    placed[500:500 + h, 900:900 + w] = small
    scene = np.where(mask[..., None] > 0, placed, desk)
    found = PageDetector().detect(scene)
    assert found.quad is None and found.reason is Reason.TOO_SMALL


def _on_a_pile(frame: RealFrame, sheets: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """The plain-desk page laid on blank sheets (turn in degrees, shift x, y in px each),
    which are a little darker than the page, as sheets in its shadow are."""
    image = frame.image()
    quad = frame.quad
    centre = quad.mean(axis=0)
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    paper = np.median(image[(cv2.erode(mask, np.ones((15, 15), np.uint8)) > 0) & (grey > 120)],
                      axis=0)
    pile = image.copy()
    for turn, dx, dy in sheets:
        a = np.deg2rad(turn)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        under = (quad - centre) @ rot.T + centre + np.array([dx, dy])
        cv2.fillConvexPoly(pile, np.round(under).astype(np.int32),
                           tuple(float(c) * 0.93 for c in paper), cv2.LINE_AA)
    return np.where(mask[..., None] > 0, image, pile)


@pytest.mark.parametrize("frame", PLAIN, ids=lambda f: f.name)
def test_the_top_sheet_of_a_pile_is_the_page(frame: RealFrame) -> None:
    """Not the pile's outline, nor a mix of the page's sides and the pile's (before the
    peeling step, five of these six scored 0.94-0.95 and every two-sheet pile under 0.91)."""
    detector = PageDetector()
    one = detector.detect(_on_a_pile(frame, ((3.0, 18.0, 10.0),)))
    assert one.quad is not None and jaccard(one.quad, frame.quad) >= 0.955
    two = detector.detect(_on_a_pile(frame, ((-2.0, -12.0, 16.0), (4.0, 20.0, -8.0))))
    assert two.quad is not None and jaccard(two.quad, frame.quad) >= 0.92


def _with_a_neighbour(frame: RealFrame, gap: float, width: float) -> np.ndarray:
    """The plain-desk page with a dark brown object (a wallet, a phone case) lying along its
    right side, ``gap`` px away and reaching a little past both ends of that side."""
    image = frame.image()
    quad = frame.quad
    top, bottom = quad[1], quad[2]
    along = (bottom - top) / np.linalg.norm(bottom - top)
    out = np.array([along[1], -along[0]])
    if float(out @ (top - quad.mean(axis=0))) < 0:
        out = -out
    a = top + gap * out - 0.1 * (bottom - top)
    b = bottom + gap * out + 0.1 * (bottom - top)
    shape = np.array([a, a + width * out, b + width * out, b])
    cv2.fillConvexPoly(image, np.round(shape).astype(np.int32), (60, 40, 30), cv2.LINE_AA)
    return image


@pytest.mark.parametrize("frame", PLAIN, ids=lambda f: f.name)
def test_an_object_along_a_side_is_not_part_of_the_page(frame: RealFrame) -> None:
    """The object's far edge is as straight and as strong as the page's own; before the
    margin test the paper frame's outline took it in (Jaccard 0.68, accepted)."""
    found = PageDetector().detect(_with_a_neighbour(frame, gap=3.0, width=200.0))
    assert found.quad is not None and jaccard(found.quad, frame.quad) >= 0.95


CLUTTERED = [f for f in FRAMES if f.name.startswith("background05")]
REGIONS = DetectorConfig(region_pages=True)


def test_paper_regions_find_pages_on_the_cluttered_desk_and_nothing_else() -> None:
    """With region evidence (``DetectorConfig.region_pages``, on by default), a page on the
    pile under cables is found where edge support alone says "no page", and no other answer
    appears: every quad it gives covers most of the page, says it is region-backed (so
    auto-capture asks for the clutter to be cleared instead of taking it) and is never
    found with region evidence off."""
    detector = PageDetector(REGIONS)
    edges_only = PageDetector(DetectorConfig(region_pages=False))
    scores = []
    for frame in CLUTTERED:
        found = detector.detect(frame.image())
        if found.quad is None:
            assert found.reason in (Reason.NO_PAGE, Reason.CUT_OFF)
            continue
        scores.append(jaccard(found.quad, frame.quad))
        assert found.confidence < 0.9  # weak edges: the confidence says so
        assert found.region_backed
        assert edges_only.detect(frame.image()).quad is None
    assert len(scores) >= 3 and min(scores) >= 0.85, scores
    assert sum(score >= 0.9 for score in scores) >= 2, scores
    for frame in PLAIN:  # the plain desk's answers do not change
        found = detector.detect(frame.image())
        assert found.quad is not None and jaccard(found.quad, frame.quad) >= 0.95


def test_a_paper_region_answers_when_the_full_frame_refuses_the_edges_choice() -> None:
    """On the cluttered datasheet frame the edges' best outline mixes the page's sides with
    the pile's (Jaccard 0.57) and passes at the middle level; the full frame does not confirm
    it. The paper region's outline, kept in reserve, then answers: the page, region-backed."""
    frame = next(f for f in CLUTTERED if "datasheet" in f.name)
    found = PageDetector().detect(frame.image())
    assert found.quad is not None and found.region_backed
    assert jaccard(found.quad, frame.quad) >= 0.9


def test_paper_regions_take_no_clutter_for_a_page() -> None:
    assert PageDetector(REGIONS).detect(_clutter_without_the_page()).quad is None


def test_an_evenly_lit_region_is_required() -> None:
    """A glare spot on dark wood grain is a light, differently tinted blob the size of a
    page (synthetic hard-empty 2010009 was accepted before this test was added): striped
    inside, so no region vouches for it."""
    sample = render(2010009, "hard", Scene.EMPTY)
    assert PageDetector(REGIONS).detect(sample.image()).quad is None
