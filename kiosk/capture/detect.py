"""Find the page in a camera frame: four corners, a confidence, or the reason there is none.

A search costs 10-30 ms on one core at 1080p (the preview, ``preview.py``, avoids most of
them), so it works coarse to fine:

1. Coarse, on a copy about 480 px wide (``proposals.py``): cheap methods propose outlines
   (segmentation for paper on a darker counter or a differently tinted one, edge contours for
   light-on-light, Hough line quads only if those fail), each convex hull shrunk to a
   quadrilateral.
2. Fit, on the ~960 px level, for the best few: brightness profiles across each side, the
   edge position to a fraction of a pixel, a robust line fit per side (a thumb or a shadow
   across a side is outvoted), corners where the lines meet.
3. Peel, for the winner only: a page lying on other sheets is the top sheet, not the pile's
   outline (each side moves in to a nearly parallel step when blank, shaded paper lies
   between).
4. Polish, on the full frame, for the winner only: the same fit in a narrow band.

When no outline is sure (``DetectorConfig.region_pages``), the largest blobs of paper tint
(``regions.py``) propose outlines that may pass on weaker edges when they cover their blob,
are evenly lit paper and have a document's proportions; such a find says so
(``Detection.region_backed``) and is outlined for guidance but never auto-captured.

The outline whose sides are best supported by real edges wins. Paper is among the brightest
things on a counter, so an outline whose inside is dark (a phone, a shadow), strongly
coloured or too small is refused, as is one with a side on a neighbour's edge rather than
the sheet's (the strip just inside it is not the page's margin: such a side is fitted
again to its innermost line), and when the evidence is ambiguous (a printed block inside
a sheet whose border is hidden) there is no answer rather than a wrong one.
See docs/capture.md for the reasoning behind each step.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import (
    NEXT,
    PREVIOUS,
    Quad,
    is_convex,
    meeting_points,
    order_quad,
)
from kiosk.capture.proposals import Views, percentile, propose, views
from kiosk.capture.rectify import measured_aspect, rectangle_misfit
from kiosk.capture.regions import agreement, even_share, paper_regions

Image = npt.NDArray[Any]  # what cv2 returns: 8-bit BGR or grey in practice
_ROW_KERNEL = np.ones((1, 11), np.uint8)
_RANSAC_PAIRS = 40  # line hypotheses per side
_MIN_SIDE_POINTS = 4  # edge points a side needs before a line is fitted through them
_OUTER_MARGIN = 0.3  # an accepted outline around another wins unless far less supported
_BLOCK_RATIO = 2.0  # a printed block worth doubting is under half its sheet's area
_BLOCK_INSIDE = 0.8  # ...and this much of it lies within the sheet's rough outline
# The line proposals cost a Hough transform (a few ms on a cluttered frame): worth it only
# when at least this many fits are left to try them.
_LINE_FITS = 3
_CLIPPED = 250  # grey level from which a pixel counts as clipped white
White = tuple[float, float]  # Lab a, b; (128, 128) is neutral grey
_RING_REACH = 4  # px (coarse copy): how far outside an outline its surroundings are read
_RING_OUTER = np.ones((2 * _RING_REACH + 1,) * 2, np.uint8)
_KERNEL3 = np.ones((3, 3), np.uint8)
_WHITE_SHARE = 0.03  # the brightest pixels, whose median colour is the camera's white
_INSET = 4.0  # px (middle level): a block printed on a sheet keeps at least this margin
# Peeling a top sheet off a pile (``PageDetector._peel``), at the middle level:
_PEEL_BAND = 0.12  # widest band between a page's side and the pile's, share of the short side
_PEEL_MIN_BAND = 6.0  # px
_PEEL_PASSES = 2
_PEEL_GAP = 2.0  # px: the inner line lies at least this far inside
_PEEL_REFIT = 6.0  # px: the moved outline is fitted again within this distance
_PEEL_SIN = 0.1  # about 6 degrees: the page and the sheet under it are nearly parallel
_PEEL_COLUMNS = 24  # samples along a side for the blank-band test
_PEEL_INSIDE = (3.0, 5.0, 7.0)  # px inside the inner line: the page's own brightness
_PEEL_BAND_AT = (2.5, 4.0, 5.5)  # px outside the inner line (past its shadow): the band
_PEEL_BLANK = 0.85  # band at least this bright relative to the page: paper, not ink
_PEEL_SHADE = 0.985  # ...and at most this: a sheet under the page lies in its shadow, while a
# margin outside a box printed on the page is as bright as the box's inside
_PEEL_BLANK_SHARE = 0.75  # of the columns (a cable or a pen may cross a few)
# The margin just inside each side (``_foreign_sides``), at the middle level:
_MARGIN_AT = (3.0, 5.0, 7.0)  # px inside the side
_MARGIN_COLUMNS = 24  # samples along a side
# A genuine page's sides differ from its brightest side's tint by at most ~14 Lab units on
# the synthetic splits (white balance, coloured light), sides fitted to a neighbour's edge
# by 30-42; and shadows darken a margin to 0.42 of the brightest side at worst, a phone
# beside a card reads 0.17.
_MARGIN_TINT = 20.0
_MARGIN_DARK = 0.3
# A sheet's side ends at its corners. Its neighbours' lines are read this far past each
# corner (shares of the side's length): where both neighbours of a side run on with the
# same step (paper inside, counter outside), that side is a line drawn across the sheet
# (a table rule, a printed block's edge) and the sheet goes on past it, often off the frame.
_RUN_ON_AT = (0.03, 0.05, 0.08, 0.11, 0.14)
_RUN_ON_SEEN = 2  # samples past the corner inside the frame, at least
_RUN_ON_ALONG = (0.15, 0.3, 0.5, 0.7, 0.85)  # where the side's own step is read
_RUN_ON_ACROSS = 3.0  # px (middle level) either side of the line
_RUN_ON_STEP = 0.5  # of the side's own step, past the corner
_RUN_ON_MIN_STEP = 8.0  # L*: a side fainter than this is not judged
# ...and a side whose own line runs on past one of its corners all the way to the frame's
# border: the sheet goes on out of the picture (``_sides_running_off``). Read at up to
# ``_OFF_SAMPLES`` points along the extension, at least ``_OFF_STEP`` px apart, the sheet's
# edge looked for within ``_OFF_DRIFT`` px either way of it (a side's direction, extended a
# few hundred px, drifts by that much).
_OFF_SAMPLES = 16
_OFF_STEP = 4.0  # px (middle level)
_OFF_DRIFT = 4
_OFF_MIN_SAMPLES = 2  # an extension shorter than this many samples is not judged
# The run ends this near the frame's border (px): its profiles across it lie along the
# border, where the remap repeats the border's pixels, so it may come close.
_OFF_END = 2.0
_OFF_HOLD = 0.7  # share of the extension's samples where the side's step carries on
_OFF_PAPER = 0.85  # ...with the sheet's paper inside it (this much of the side's own inside)
# A dark line on paper (a cable, a pen, a printed rule) edges as well as a sheet's border,
# but past it lies paper again: read just outside a side (the line) and further out.
_LINE_INSIDE = (-6.0, -4.0)  # px (middle level)
_LINE_NEAR = (1.0, 2.0, 3.0, 4.0, 5.0)
# Out of focus, a cable and its shadow span some 15 px, so paper again is looked for up to 21.
_LINE_FAR = (9.0, 12.0, 15.0, 18.0, 21.0)
# The line: at most this light, relative to the paper inside. A black cable reads 0.3-0.5,
# the same cable out of focus 0.62; a sheet's shadow on the sheet below is far lighter.
_LINE_DARK = 0.7
# ...and past it at least this light again: paper, or on a page slid off the frame, its
# printed lines beyond a cable (0.83 on the cluttered letter). A counter past a sheet's
# border is darker than that, or it is as light as paper and there is no dark line.
_LINE_PAPER = 0.8
# A side near the frame's border with the sheet's own paper between it and the border,
# lighter than the sheet just inside that side: the side is where print ends (a header
# bar, a photo, a table's last rule) on a sheet that goes on out of the picture
# (``_sheet_goes_on``). Read from just past the side up to this share of the image's long
# side (24 px on the middle level, where ``_line_sides`` stops looking) or the border.
_ON_REACH = 0.025
_ON_FROM = 3.0  # px past the side: clear of its own edge
_ON_INSIDE = (-7.0, -5.0, -3.0)  # px: the sheet just inside each side
_ON_PAPER = 0.9  # of the lightest side's inside: the sheet's paper
_ON_LIGHTER = 1.05  # ...and this much lighter than the sheet just inside the side
_ON_TINT = 10.0  # Lab units from the lightest side's inside: the same paper
_SIDES_TWICE = np.array([0, 1, 2, 3, 0, 1, 2, 3])  # a quad's sides, once per step polarity
Scale = npt.NDArray[np.float64]  # (x, y) size of the coarse copy over the full frame
Sides = npt.NDArray[np.bool_]  # one flag per side of a quad


class Reason(enum.StrEnum):
    """Why a frame has (or has no) usable page outline."""

    OK = "ok"
    NO_PAGE = "no_page"
    CUT_OFF = "cut_off"
    TOO_DARK = "too_dark"
    GLARE = "glare"
    TOO_SMALL = "too_small"


@dataclass(frozen=True)
class Detection:
    """One frame's answer. ``quad`` is None unless ``reason`` is OK."""

    quad: Quad | None
    confidence: float
    reason: Reason
    frame_size: tuple[int, int]  # (width, height)
    # Found on a paper region's word with faint edges (a page on a pile under cables): good
    # enough to outline and guide, never to take the picture by itself (autocapture.py).
    region_backed: bool = False

    def as_json(self) -> dict[str, object]:
        quad = (
            None
            if self.quad is None
            else [[round(float(x), 2), round(float(y), 2)] for x, y in self.quad]
        )
        return {"quad": quad, "confidence": round(self.confidence, 3), "reason": str(self.reason)}


@dataclass(frozen=True)
class DetectorConfig:
    """Tuning knobs; the defaults are the ones bench/capture.py measures."""

    work_size: int = 480  # long side of the coarse copy, px
    min_area: float = 0.004  # smallest outline considered, share of the frame
    samples_per_side: int = 32
    inlier_tol: float = 1.5  # px at full resolution
    min_side_support: float = 0.35  # share of a side's samples on the fitted line
    min_support: float = 0.6  # mean over the four sides
    # A sheet-like bright outline with at least this support, around an accepted one, means
    # the accepted one may be a block printed on a sheet we cannot outline: no answer then.
    weak_support: float = 0.3
    min_final_support: float = 0.6  # the full-resolution pass must confirm this much,
    # unless the middle level saw every side well (``well_seen_side``): heavy blur and JPEG
    # blocks spread a faint edge wider than the narrow full-resolution pass's tolerance,
    # while the middle level, half the size, still sees it sharp. Synthetic `hard` pages
    # found at Jaccard 0.97-0.98 with every side at 0.69-0.75 were confirmed at only
    # 0.49-0.59; an outline with one side on a shadow across a card (side 0.41) is not.
    well_seen_side: float = 0.6
    well_seen_final_support: float = 0.45
    min_brightness: float = 0.4  # page median / frame 99th-percentile luminance
    max_clipped: float = 0.6  # share of the inside that may be clipped white (glare spot)
    # The smallest document (an ID-1 card's 54 mm side) fills at least this share of the
    # frame's short side on any usable set-up; a pen, a USB plug or a highlighter does not.
    min_short_side: float = 0.08
    max_cut_share: float = 0.5  # a "sheet" running off the frame over more of it is a counter
    max_card_aspect: float = 2.0  # below min_short_side, only card shapes are "too small"
    max_tint: float = 45.0  # Lab |a| + |b| of the inside's median colour, from neutral
    # The colour tests measure from the frame's white (_white_of), read off its brightest
    # pixels, at most this far from neutral (Lab |a| + |b|): white paper reads 17-30 from
    # neutral on the real plain-desk frames and up to 55 under warm bulbs or a cool white
    # balance, a highlighter ~90. The cap was 15 while nothing else told a text column or
    # a patch of desk from a page once paper read white again; with the outline tests of
    # 5 Dec (right angles in 3D, sides that end at corners and are not lines) 45 finds 118
    # of the 126 plain-desk pages under seven lights (15: 97) and answers no wrong quad
    # on either desk (15: 0; 3 before those tests; docs/capture.md).
    max_cast: float = 45.0
    # The inside's median lightness over that of a ring 2-4 px (coarse copy) outside it:
    # the accepted pages of every synthetic split read 0.81 or more, the real ones 1.02 or
    # more, a grey phone in a glare spot on a green counter 0.58 (hard-empty-2010051).
    min_against_around: float = 0.7
    max_aspect: float = 8.0  # long over short side; receipts are the longest documents
    min_angle: float = 35.0  # degrees, smallest corner angle a tilted sheet shows
    # rectify.rectangle_misfit: no camera sees a sheet's corners this far from right angles
    # (about 15 degrees). Accepted synthetic pages reach 0.2 where one corner is imprecise;
    # real frames made smaller, blurred or cut off gave pile-and-cable outlines of 0.6-0.94.
    max_misfit: float = 0.25
    dark_level: float = 160.0  # frames dimmer than this (99th percentile) are brightened
    too_dark_level: float = 60.0  # below this a miss is reported as too dark, not as no page
    max_refined: int = 10  # best coarse outlines per proposal kind (regions, lines)
    max_fits: int = 8  # outlines fitted per frame at most (each ~0.5-1 ms on one core)
    sure_side_support: float = 0.85  # stop looking once every side is this well supported
    border_margin: float = 2.0  # px: a corner this close to the frame edge is cut off
    # An outline that covers a paper region (regions.py) needs less edge support: a page on
    # a pile under cables shows its faint border along only part of each side. Such a find
    # is outlined but never auto-captured (``Detection.region_backed``): on one cluttered
    # SmartDoc frame it answers the sheet under the page (Jaccard 0.868), under the 0.9 the
    # project holds captures to (docs/capture.md, step 7); the resident is asked to clear
    # the things around the page instead.
    region_pages: bool = True
    region_support: float = 0.45
    region_min_side: float = 0.3
    region_agreement: float = 0.8  # intersection over union with the region's hull
    # long over short side of the real sheet (rectify.measured_aspect): the known formats
    # are 1.41 (A4) to 1.59 (ID-1) and more (receipts); the margin is the measurement's
    region_min_aspect: float = 1.2
    region_even: float = 0.85  # share of the inside evenly lit paper (a glare spot on wood: 0.69)
    region_final_support: float = 0.35  # the full-resolution confirmation for such outlines
    seed: int = field(default=7, repr=False)


class _Verdict(enum.Enum):
    YES = enum.auto()
    NO = enum.auto()
    WEAK = enum.auto()  # sheet-like, bright, but its sides are not convincingly on edges
    SMALL = enum.auto()  # a well-edged light card, too small in the frame to be used
    GLARE = enum.auto()  # sheet-like but clipped white throughout


@dataclass(frozen=True)
class _Levels:
    frame: Image
    mid: Image
    lab: Image  # the coarse copy in Lab
    scale: Scale  # coarse / full
    mid_scale: Scale  # middle / full
    bright_ref: float  # 99th-percentile lightness of the coarse copy
    dim: bool  # the frame was too dark before brightening
    white: White  # the Lab (a, b) white paper reads as in this frame (_white_of)


@dataclass
class _Candidate:
    quad: Quad  # in the image it was fitted on: the middle level, the full frame once polished
    support: float = 0.0
    min_side: float = 0.0
    touches_border: bool = False
    area_share: float = 0.0  # of the frame it was fitted in
    region_backed: bool = False  # weakly edged, but it covers a paper region (_region_pages)
    # Worked out once per outline (the search, the acceptance tests and the region evidence
    # all ask): its foreign sides (``_foreign_sides``) and ``PageDetector._acceptable``.
    foreign: Sides | None = field(default=None, repr=False)
    verdict: _Verdict | None = field(default=None, repr=False)


class PageDetector:
    """Stateless per frame (safe to call from one thread per instance); cheap to construct."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()

    def detect(self, frame: Image, hint: Quad | None = None) -> Detection:
        """The page outline in ``frame`` (BGR or grey uint8).

        ``hint`` is the page found in the previous preview frame, if any: a page lying on
        the tray barely moves between frames, so when its outline is still solidly on edges
        the proposal search is skipped (about a third of the cost). The hint passes exactly
        the tests any proposal passes; it only saves time.
        """
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8 or frame.size == 0:
            raise ValueError("frame must be a non-empty 8-bit BGR or grey image")
        fh, fw = frame.shape[:2]
        levels = self._levels(frame)
        best = None if hint is None else self._follow(levels, hint)
        reason, fallback = Reason.OK, None
        if best is None:
            best, reason, fallback = self._search(levels)
        if best is None:
            if reason is Reason.NO_PAGE and levels.dim:
                reason = Reason.TOO_DARK
            return Detection(None, 0.0, reason, (fw, fh))
        found = self._polish(levels, best)
        if found is None and fallback is not None:
            # The edges at full resolution disagree with the outline they chose (on a pile
            # under cables: a mix of the page's and the pile's sides); a paper region still
            # vouches for a page, which is outlined but never auto-captured.
            found = self._polish(levels, fallback)
        return found or Detection(None, 0.0, Reason.NO_PAGE, (fw, fh))

    def _polish(self, levels: _Levels, best: _Candidate) -> Detection | None:
        """``best`` peeled to the top sheet of a pile and fitted at full resolution, or None
        when the full frame's edges do not confirm it."""
        fh, fw = levels.frame.shape[:2]
        inner = np.zeros(4, bool)
        # A side tilted against the pile's is found on a second pass, once its neighbours
        # have moved in; a side moved once stays (further in is print). An outline taken on
        # a paper region's word is not peeled: its sides are too faint to look past.
        for _ in range(0 if best.region_backed else _PEEL_PASSES):
            best, peeled = self._peel(levels, best, inner)
            if not peeled.any():
                break
            inner |= peeled
        quad = (best.quad + 0.5) / levels.mid_scale - 0.5
        # A narrow pass at full resolution for sub-pixel corners.
        final = self._refine(levels.frame, quad, radius=2.0 / float(levels.mid_scale.min()) + 2,
                             inner=inner)
        weak = best.region_backed
        if final is None or final.touches_border:
            return Detection(quad, best.support, Reason.OK, (fw, fh), weak)
        if final.support < self._confirmation_needed(best):
            return None  # the full-resolution edges disagree: not a sheet after all
        return Detection(final.quad, final.support, Reason.OK, (fw, fh), weak)

    def _confirmation_needed(self, best: _Candidate) -> float:
        """The full-resolution support that confirms ``best``: less for an outline taken
        on a paper region's word (its sides are faint by definition, and it is never
        auto-captured) or one whose every side the middle level saw well."""
        cfg = self.config
        if best.region_backed:
            return cfg.region_final_support
        if best.min_side >= cfg.well_seen_side:
            return cfg.well_seen_final_support
        return cfg.min_final_support

    def _levels(self, frame: Image) -> _Levels:
        """The frame at full, middle (~960 px) and coarse (~480 px) size, exposure-corrected.

        Outlines are proposed on the coarse copy, fitted on the middle one (4x fewer pixels
        than the frame), and only the winner is polished at full resolution.
        """
        cfg = self.config
        pyramid = _pyramid(frame, cfg.work_size)
        small = pyramid[-1]
        mid = pyramid[-2] if len(pyramid) > 1 else frame
        lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB)
        bright_ref = _percentile(lab[..., 0], 0.99)
        dim = bright_ref < cfg.too_dark_level
        if bright_ref < cfg.dark_level:
            # A dim frame: stretch it as auto-exposure would, so edge thresholds still bite
            # and the quality check, not a miss, is what says "too dark".
            gain = cfg.dark_level / bright_ref
            mid_was_frame = mid is frame
            frame = cv2.convertScaleAbs(frame, alpha=gain)
            mid = frame if mid_was_frame else cv2.convertScaleAbs(mid, alpha=gain)
            lab = cv2.cvtColor(cv2.convertScaleAbs(small, alpha=gain), cv2.COLOR_BGR2LAB)
            bright_ref = _percentile(lab[..., 0], 0.99)
        return _Levels(frame, mid, lab, _scale(small, frame), _scale(mid, frame), bright_ref,
                       dim, _white_of(lab, cfg.max_cast))

    def _follow(self, lv: _Levels, hint: Quad) -> _Candidate | None:
        """The previous frame's page, if it is still there with every side on an edge."""
        ratio = lv.mid_scale / lv.scale
        quad = (np.asarray(hint, np.float64).reshape(4, 2) + 0.5) * lv.mid_scale - 0.5
        cand = self._refine(lv.mid, quad, radius=6.0 * float(ratio.min()) + 2)
        if (cand is None or cand.touches_border
                or cand.min_side < self.config.sure_side_support
                or self._acceptable(cand, lv, 1.0 / ratio) is not _Verdict.YES):
            return None
        return cand

    def _search(self, lv: _Levels) -> tuple[_Candidate | None, Reason, _Candidate | None]:
        """The best acceptable outline (in middle-level coordinates), the reason to give
        if there is none (a sheet running off the frame, one drowned in glare, or nothing),
        and the region-backed outline to try should the edge-backed best not be confirmed."""
        cfg = self.config
        seen = views(lv.lab)
        ratio = lv.mid_scale / lv.scale
        radius = 6.0 * float(ratio.min()) + 2
        found = _Findings()
        tried: list[Quad] = []
        fits = 0
        for lines in (False, True):
            for quad_small in propose(lv.lab, seen, cfg.min_area, cfg.max_refined, lines=lines):
                if any(np.abs(quad_small - q).max() <= 2.0 for q in tried):
                    continue
                tried.append(quad_small)
                quad = (quad_small + 0.5) * ratio - 0.5
                if found.sure is not None and not _contains(quad, found.sure.quad, slack=8.0):
                    continue  # after a sure find, only a larger outline around it could win
                if self._paper_check(quad, lv, 1.0 / ratio)[0] is _Verdict.NO:
                    continue  # the fit moves sides by a few pixels, not from a pen to a page
                if fits == cfg.max_fits:
                    break  # the frame's time is spent: better no answer than a late one
                fits += 1
                cand = self._fit_proposal(lv.mid, quad, radius)
                if cand is not None:
                    verdict = self._acceptable(cand, lv, 1.0 / ratio)
                    foreign = _margins_of(cand, lv.mid)
                    if foreign.any():
                        # A side went out to the edge of something next to the sheet (a
                        # phone, a glare patch on the counter) that edged as well as the
                        # sheet's own: fit those sides again, keeping the innermost line,
                        # and take that outline only if it passes as a page.
                        inner = self._refine(lv.mid, cand.quad, radius=radius, reach=0.08,
                                             inner=foreign)
                        if (inner is not None and self._acceptable(inner, lv, 1.0 / ratio)
                                is _Verdict.YES):
                            cand, verdict = inner, _Verdict.YES
                    found.add(cand, verdict, cfg.sure_side_support, cfg.max_cut_share)
            if found.sure is not None or fits > cfg.max_fits - _LINE_FITS:
                break  # no need (or too little time left) for the costlier line proposals
        if found.sure is None and cfg.region_pages:
            found.regional = self._region_pages(lv, seen, radius, found.weak)
        return _conclude(found)

    def _region_pages(self, lv: _Levels, seen: Views, radius: float,
                      weak: list[_Candidate]) -> list[_Candidate]:
        """Outlines whose sides are only partly on edges but that agree with a paper
        region (``regions.py``): a page on a pile under cables, whose faint border no edge
        test alone can tell from the pieces the cable cuts it into.

        Each region's quad is fitted like any proposal; that fit and the search's ``weak``
        outlines are kept when they pass every test of a page except the edge support,
        have at least ``region_support`` of it (``region_min_side`` on each side), cover
        a region (a piece of the page cut off by a cable covers only part of it), are
        evenly lit paper inside (a glare spot on wood grain is striped) and have a
        document's proportions: A4, F4 and the ID-1 card are 1.41-1.59 long over short,
        receipts longer, while the pieces a cable cuts a page into and a pile's outline
        mixed with the page's are any shape. A region touching the frame's border vouches
        for nothing: its paper may go on past the frame (on cluttered-desk pages slid off
        the frame, it outlined what was left inside).
        """
        cfg = self.config
        ratio = lv.mid_scale / lv.scale
        # Paper running off the frame may go on past it: what is left inside is no page.
        h, w = lv.lab.shape[:2]
        regions = [r for r in paper_regions(lv.lab, seen, cfg.min_area, lv.white)
                   if not _outside(r.hull.astype(np.float64), w, h, 1.0)]
        fitted = [self._fit_proposal(lv.mid, (r.quad + 0.5) * ratio - 0.5, radius)
                  for r in regions]
        kept = []
        for cand in [c for c in fitted if c is not None] + weak:
            if (cand.touches_border or cand.support < cfg.region_support
                    or cand.min_side < cfg.region_min_side
                    or _margins_of(cand, lv.mid).any()
                    or self._acceptable(cand, lv, 1.0 / ratio) not in (_Verdict.YES,
                                                                       _Verdict.WEAK)):
                continue
            small = (cand.quad + 0.5) / ratio - 0.5
            aspect = measured_aspect((cand.quad + 0.5) / lv.mid_scale - 0.5,
                                     (lv.frame.shape[1], lv.frame.shape[0]))
            if (max(aspect, 1.0 / aspect) >= cfg.region_min_aspect
                    and max((agreement(small, r) for r in regions), default=0.0)
                    >= cfg.region_agreement
                    and even_share(seen.flat, small) >= cfg.region_even):
                cand.region_backed = True
                kept.append(cand)
        # The top sheet lies within the pile under it, and every outline kept covers most
        # of the region: the smallest of them is the page.
        return [min(kept, key=_area)] if kept else []

    def _peel(self, lv: _Levels, cand: _Candidate, done: Sides) -> tuple[_Candidate, Sides]:
        """The top sheet of a stack: each side moved in to a line just inside it, when the
        band between them is blank paper.

        A page lying on other sheets (a pile of letters, the rest of a form) shows two
        parallel borders on a side: its own, a faint step onto the sheet below, and the
        pile's, a stronger step onto the counter a few millimetres further out. The side fit
        prefers the outer one (nothing printed lies outside the page), so the winner may be
        the pile, or a mix of the page's and the pile's sides. Here each side looks inwards
        for a line with the page brighter than what lies outside it (the lower sheets are in
        the page's shadow), nearly parallel, with nothing but blank paper between the two
        lines. Printed frames, header bars and photos fail that test: their band is ink, or
        their step has the other polarity. The moved outline must pass every test again.
        """
        cfg = self.config
        quad = cand.quad
        a, b = quad, quad[NEXT]
        lengths = np.hypot(*(b - a).T)
        outward = _outward_normals(quad)
        band = max(_PEEL_MIN_BAND, _PEEL_BAND * float(lengths.min()))
        shift = outward * (band / 2 + _PEEL_GAP)
        fits = self._fit_sides(lv.mid, a - shift, b - shift, band / 2, both_polarities=False)
        inner = np.zeros(4, bool)
        points, directions = a.copy(), (b - a) / lengths[:, None]
        for k in range(4):
            direction = directions[k]
            fit = fits[k]
            if (not done[k] and fit is not None and fit[2] >= cfg.min_side_support
                    and abs(float(fit[1][0] * direction[1] - fit[1][1] * direction[0])) <= _PEEL_SIN
                    and self._blank_band(lv.mid, a[k], b[k], outward[k], fit[0], fit[1])):
                points[k], directions[k] = fit[0], fit[1]
                inner[k] = True
        if not inner.any():
            return cand, inner
        peeled = meeting_points(points, directions)
        if peeled is None:
            return cand, np.zeros(4, bool)
        if not is_convex(peeled) or not np.allclose(order_quad(peeled), peeled):
            return cand, np.zeros(4, bool)
        moved = self._refine(lv.mid, peeled, radius=_PEEL_REFIT, inner=inner | done)
        ratio = lv.mid_scale / lv.scale
        if (moved is None or moved.touches_border
                or np.abs(moved.quad - peeled).max() > band  # not the same corners in order
                or self._acceptable(moved, lv, 1.0 / ratio) is not _Verdict.YES):
            return cand, np.zeros(4, bool)
        return moved, inner

    def _blank_band(self, image: Image, a: Quad, b: Quad, outward: Quad, point: Quad,
                    direction: Quad) -> bool:
        """Is the strip between side ``a``-``b`` and the line (``point``, ``direction``) just
        inside it blank paper a little darker than the page inside the line (a sheet in the
        page's shadow)?"""
        t = _spread(0.1, 0.9, _PEEL_COLUMNS)[:, None]
        normal = np.array([-direction[1], direction[0]])
        if float(normal @ outward) < 0:
            normal = -normal
        on_side = a + t * (b - a)
        # Where each column meets the inner line, and how far out the outer side lies.
        to_line = ((point - on_side) @ normal)[:, None]
        start = on_side + to_line * normal
        # Just outside the inner line, past the thin shadow a sheet casts on the one below
        # (the outer edge itself is half counter, and a mixed outline's side may leave the
        # sheet under the page).
        width = np.maximum(-to_line - 1.0, _PEEL_BAND_AT[0])
        band = np.minimum(np.array(_PEEL_BAND_AT)[None, :], width)
        offsets = np.concatenate([-np.array(_PEEL_INSIDE)[None, :].repeat(len(t), 0), band],
                                 axis=1)  # (columns, inside + band samples)
        where = start[:, None, :] + offsets[..., None] * normal
        picked = cv2.remap(image, where[..., 0].astype(np.float32),
                           where[..., 1].astype(np.float32), cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)
        # Grey from the few samples, not the whole image (this runs per side and pass).
        vals = cv2.cvtColor(picked, cv2.COLOR_BGR2GRAY).astype(np.float64)
        inside = np.median(vals[:, : len(_PEEL_INSIDE)], axis=1)
        ratio = np.median(vals[:, len(_PEEL_INSIDE):], axis=1) / np.maximum(inside, 1.0)
        blank = (ratio >= _PEEL_BLANK) & (ratio <= _PEEL_SHADE)
        return float(np.mean(blank)) >= _PEEL_BLANK_SHARE

    # -- fine fit ---------------------------------------------------------------------------

    def _fit_proposal(self, image: Image, quad: Quad, radius: float) -> _Candidate | None:
        """A wide fit around a rough outline, repeated once if the outline was far off."""
        cand = self._refine(image, quad, radius=radius, reach=0.08)
        if cand is not None and np.abs(cand.quad - quad).max() > 0.03 * _size(quad):
            cand = self._refine(image, cand.quad, radius=radius, reach=0.08) or cand
        return cand

    def _refine(
        self, frame: Image, quad: Quad, radius: float, reach: float = 0.0,
        inner: Sides | None = None,
    ) -> _Candidate | None:
        """Fit each side to the frame's edges within ``radius`` px or ``reach`` of its length.

        Near-ties go to the outermost line, except on the sides flagged ``inner``: those
        are a top sheet's sides found just inside the sheets under it (``_peel``), and the
        innermost line keeps them there.
        """
        fh, fw = frame.shape[:2]
        a = quad
        b = quad[NEXT]
        lengths = np.hypot(*(b - a).T)
        if lengths.min() < 8 or _outside(quad, 2 * fw, 2 * fh, -max(fw, fh) / 2):
            return None  # degenerate, or a wild extrapolation far outside the frame
        radius = min(max(radius, reach * float(lengths.max())), 0.25 * float(lengths.min()))
        fits = self._fit_sides(frame, a, b, radius, inner=inner)
        points, directions = a.copy(), b - a  # a side the frame cuts keeps the frame's edge
        real = []  # supports of the sides fitted to an edge
        on_border = False
        ends = quad.tolist()  # plain floats: the per-side tests below are scalar work
        for k in range(4):
            fitted = fits[k]
            (ax, ay), (bx, by) = ends[k], ends[(k + 1) % 4]
            # Along the frame's edge, or beyond it: where the frame cuts the sheet.
            border = (_along_border((ax, ay), (bx, by), fw, fh,
                                    self.config.border_margin + radius)
                      or not (0 <= (ax + bx) / 2 < fw and 0 <= (ay + by) / 2 < fh))
            if fitted is None or (border and fitted[2] < self.config.min_side_support):
                if not border:
                    return None
                on_border = True  # no edge where the frame cuts the sheet
                continue
            points[k], directions[k] = fitted[0], fitted[1]
            real.append(fitted[2])
        corners = meeting_points(points, directions)
        if corners is None:
            return None
        refined = order_quad(corners)
        if not is_convex(refined):
            return None
        touches = (on_border or _outside(refined, fw, fh, self.config.border_margin)
                   or bool(_sheet_goes_on(frame, refined).any()))
        return _Candidate(
            refined,
            float(np.mean(real)) if real else 0.0,
            float(min(real)) if real else 0.0,
            touches,
            _visible_share(refined, fw, fh),
        )

    def _fit_sides(
        self, frame: Image, a: Quad, b: Quad, radius: float, inner: Sides | None = None,
        both_polarities: bool = True,
    ) -> list[tuple[Quad, Quad, float] | None]:
        """Per side: sub-pixel edge points across it, then a RANSAC line through them.

        All four sides are sampled in one remap so the per-frame cost stays a few
        numpy calls, not a few per side.
        """
        cfg = self.config
        n = cfg.samples_per_side
        d = b - a
        u = d / np.hypot(*d.T)[:, None]
        normal = np.stack([u[:, 1], -u[:, 0]], axis=1)
        centre = a.mean(axis=0)
        flip = np.einsum("kj,kj->k", normal, (a + b) / 2 - centre) < 0
        normal[flip] *= -1  # point outwards
        t = _spread(0.06, 0.94, n)
        pts = a[:, None, :] + t[None, :, None] * d[:, None, :]  # (4, n, 2)
        steps = np.arange(-np.ceil(radius), np.ceil(radius) + 1)
        # The sample grid, x and y apart (each as contiguous float32, what remap takes).
        mapx, mapy = (
            (pts[:, :, None, axis] + steps[None, None, :] * normal[:, None, None, axis])
            .reshape(4 * n, -1).astype(np.float32)
            for axis in (0, 1)
        )
        prof: Image = cv2.remap(
            frame, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        # Along each profile: a closing wipes out dark print narrower than the kernel (text,
        # table rules), so what is left are the sheet's border and wide things like a thumb.
        prof = cv2.morphologyEx(prof, cv2.MORPH_CLOSE, _ROW_KERNEL)
        prof = cv2.GaussianBlur(prof.astype(np.float32), (3, 1), 0)  # tame JPEG/sensor noise
        # Inside minus outside, per channel. Channel by channel, because numpy's sums over
        # a last axis of three cost more than the rest of this function (a third of a fit).
        diffs = [c[:, :-2] - c[:, 2:] for c in cv2.split(prof)]
        mag = np.sqrt(diffs[0] * diffs[0] + diffs[1] * diffs[1] + diffs[2] * diffs[2])
        # Paper is brighter than what it lies on, so steps that darken going outwards come
        # first; a side lost in glare (the counter brighter than the sheet) gets a second
        # look with the other polarity.
        polarity = (diffs[0] + diffs[1] + diffs[2])[:, 1:-1]
        local_max = ((mag[:, 1:-1] >= mag[:, :-2]) & (mag[:, 1:-1] > mag[:, 2:])
                     & (mag[:, 1:-1] > np.maximum(8.0, 0.25 * mag.max(axis=1, keepdims=True))))
        # Both polarities in one RANSAC call (rows 0-3 the usual steps, 4-7 the other one):
        # the second only counts for a side the first left without a well-supported line.
        signs = 2 if both_polarities else 1
        rows, cols = np.nonzero(local_max)
        step_sign = polarity[rows, cols]
        dark_out = step_sign > 0
        keep = dark_out | ((signs == 2) & (step_sign < 0))
        rows, cols, dark_out = rows[keep], cols[keep] + 1, dark_out[keep]
        centre_val = mag[rows, cols]
        left, right = mag[rows, cols - 1], mag[rows, cols + 1]
        den = left - 2 * centre_val + right
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.where(den < 0, 0.5 * (left - right) / den, 0.0)
        offset = steps[1:-1][cols] + np.clip(delta, -0.5, 0.5)
        side = rows // n
        edge = pts.reshape(-1, 2)[rows] + offset[:, None] * normal[side]
        # Grouped by (polarity, side, sample) as the RANSAC expects.
        group = np.where(dark_out, 0, 4) + side
        order = np.argsort(group * (4 * n) + rows, kind="stable")
        twice = _SIDES_TWICE[: 4 * signs]  # rows 4-7 repeat sides 0-3 (the other polarity)
        found = _ransac_lines(edge[order], rows[order], group[order], [True] * (4 * signs), n,
                              cfg.inlier_tol, cfg.seed, ((a + b) / 2)[twice], normal[twice],
                              None if inner is None else inner[twice])
        fits = found[:4]
        for k, other in enumerate(found[4:]):
            first = fits[k]
            if (other is not None and (first is None or first[2] < cfg.min_side_support)
                    and (first is None or other[2] > first[2])):
                fits[k] = other
        return fits

    def _acceptable(self, cand: _Candidate, lv: _Levels, scale: Scale) -> _Verdict:
        """Could this outline be a sheet? Well-edged, sheet-shaped, paper-bright inside.

        Refused: slivers between wood grain (too long and thin, too sharp a corner), and
        whatever ``_paper_check`` refuses. Outlines clipped white throughout (a glare spot,
        or a sheet drowned in glare) are worth saying so; sheet-like outlines whose sides
        are only partly on edges are WEAK (see ``_conclude``); a well-edged card too small
        to use is SMALL (the resident is told to bring it closer).

        One verdict per outline: every caller judges it on the same frame's levels.
        """
        if cand.verdict is None:
            cand.verdict = self._judge(cand, lv, scale)
        return cand.verdict

    def _judge(self, cand: _Candidate, lv: _Levels, scale: Scale) -> _Verdict:
        """``_acceptable``'s tests, in order of cost."""
        cfg = self.config
        if cand.support < cfg.weak_support or not self._seen_sheet(cand.quad, lv):
            return _Verdict.NO
        verdict, inside = self._paper_check(cand.quad, lv, scale)
        if verdict is _Verdict.NO or inside is None:
            return _Verdict.NO
        if float(inside[_CLIPPED:].sum()) >= cfg.max_clipped * float(inside.sum()):
            return _Verdict.GLARE
        if cand.support < cfg.min_support or cand.min_side < cfg.min_side_support:
            return _Verdict.NO if verdict is _Verdict.SMALL else _Verdict.WEAK
        if (_margins_of(cand, lv.mid).any() or _run_on_sides(lv.mid, cand.quad).any()
                or _sides_running_off(lv.mid, cand.quad).any()
                or _line_sides(lv.mid, cand.quad).any()):
            # A side lies on another object's edge, not the sheet's; or the sheet goes on
            # past it (that side is print) or out of the picture; or it is a cable or a pen
            # lying on paper.
            return _Verdict.NO
        return verdict

    def _seen_sheet(self, quad: Quad, lv: _Levels) -> bool:
        """Could a camera see a sheet as ``quad`` (middle level)? Not too long and thin, no
        corner too sharp, and right angles in 3D for some focal length: pieces of a pile's
        edge, a cable and a mug close an outline too, but not one a sheet makes."""
        cfg = self.config
        mid_h, mid_w = lv.mid.shape[:2]
        return (_sheet_shaped(quad, cfg.max_aspect, cfg.min_angle)
                and rectangle_misfit(quad, (mid_w, mid_h)) <= cfg.max_misfit)

    def _paper_check(self, quad: Quad, lv: _Levels,
                     scale: Scale) -> tuple[_Verdict, Image | None]:
        """YES (or SMALL) with the histogram of the coarse lightness inside ``quad`` if it
        could be a document, else NO.

        Not a document: tiny, or small and stick-shaped (a pen, a highlighter, a USB plug's
        shell), darker than paper (a phone, a shadow), or strongly coloured (a highlighter,
        a glossy magazine cover): documents are printed on light paper or card. The tint
        limit leaves room for a camera's white balance (white paper reads bluish or
        yellowish) and for pastel forms and ID cards. A small card-shaped one is SMALL.
        """
        cfg = self.config
        h, w = lv.lab.shape[:2]
        small = (quad + 0.5) * scale - 0.5
        sides = np.hypot(*(small[NEXT] - small).T)
        if abs(cv2.contourArea(small.astype(np.float32))) < cfg.min_area * h * w:
            return _Verdict.NO, None
        size = _Verdict.YES
        if float(sides.min()) < cfg.min_short_side * min(h, w):
            pairs = (sides[0] + sides[2], sides[1] + sides[3])
            if max(pairs) > cfg.max_card_aspect * min(pairs):
                return _Verdict.NO, None
            size = _Verdict.SMALL
        # Only the outline's bounding box is masked and counted: this runs per proposal,
        # and a card covers a few percent of the frame.
        corners = np.round(small).astype(np.int32)
        # (room to spare, so the erosion and the ring below work as on the whole frame)
        x0, y0 = np.clip(corners.min(axis=0) - _RING_REACH - 1, 0, (w - 1, h - 1))
        x1, y1 = np.clip(corners.max(axis=0) + _RING_REACH + 2, 1, (w, h))
        lab = lv.lab[y0:y1, x0:x1]
        mask = np.zeros(lab.shape[:2], np.uint8)
        cv2.fillConvexPoly(mask, corners - np.array([x0, y0], np.int32), 255)
        inner = cv2.erode(mask, np.ones((5, 5), np.uint8))
        # Histograms under the mask: medians without sorting.
        inside = _histogram(lab, 0, inner)
        if inside.sum() == 0 or _median(inside) < cfg.min_brightness * lv.bright_ref:
            return _Verdict.NO, None
        a = _median(_histogram(lab, 1, inner))
        b = _median(_histogram(lab, 2, inner))
        if abs(a - lv.white[0]) + abs(b - lv.white[1]) > cfg.max_tint:
            return _Verdict.NO, None
        # Paper is at least nearly as light as what it lies on; a phone or a grey box in a
        # glare spot is far darker than the glare around it.
        ring = cv2.subtract(cv2.dilate(mask, _RING_OUTER), cv2.dilate(mask, _KERNEL3))
        around = _histogram(lab, 0, ring)
        if around.sum() > 0 and _median(inside) < cfg.min_against_around * _median(around):
            return _Verdict.NO, None
        return size, inside


def _margins_of(cand: _Candidate, mid: Image) -> Sides:
    """``_foreign_sides`` of an outline on the middle level, worked out once."""
    if cand.foreign is None:
        cand.foreign = _foreign_sides(mid, cand.quad)
    return cand.foreign


def _foreign_sides(image: Image, quad: Quad) -> Sides:
    """The sides of ``quad`` with something other than the sheet just inside them.

    Just inside a document's border lies its margin: the same paper (or card) along all
    four sides, whatever the lighting makes of its brightness. A side fitted to the edge of
    a neighbouring object (a phone beside a card, a glare patch or wood grain beside a
    page) has that object, or the counter, inside it instead: a strip of another tint, or
    far darker than the brightest side's. Medians along each side, so print, a stamp or a
    thumb over part of a margin does not count.
    """
    a, b = quad, quad[NEXT]
    outward = _outward_normals(quad)
    t = _spread(0.1, 0.9, _MARGIN_COLUMNS)[None, :, None]
    on_side = a[:, None, :] + t * (b - a)[:, None, :]  # (4, columns, 2)
    where = (on_side[:, :, None, :]
             - np.array(_MARGIN_AT)[None, None, :, None] * outward[:, None, None, :])
    where = where.reshape(4 * _MARGIN_COLUMNS, len(_MARGIN_AT), 2).astype(np.float32)
    picked = cv2.remap(image, where[..., 0], where[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    lab = cv2.cvtColor(picked, cv2.COLOR_BGR2LAB).astype(np.float64).reshape(4, -1, 3)
    margin = np.median(lab, axis=1)  # per side: L, a, b
    ref = margin[int(np.argmax(margin[:, 0]))]
    tint = np.hypot(margin[:, 1] - ref[1], margin[:, 2] - ref[2])
    foreign: Sides = (tint > _MARGIN_TINT) | (margin[:, 0] < _MARGIN_DARK * ref[0])
    return foreign


def _run_on_sides(image: Image, quad: Quad) -> Sides:
    """The sides of ``quad`` past which both neighbouring sides run on as sheet edges.

    On a page running off the frame the best outline still inside it closes on a printed
    rule, and on a form the widest printed box shares the page's sides: in both, the sheet's
    real sides carry on past that outline's corners with the same step from paper to
    counter. Past a real corner lies the counter (or the sheet below, at another angle).
    """
    h, w = image.shape[:2]
    a, b = quad, quad[NEXT]
    d = b - a
    outward = _outward_normals(quad)
    along = np.array(_RUN_ON_ALONG)
    run = np.array(_RUN_ON_AT)
    # Per side: its own samples, then past its end (b) and past its start (a).
    points = np.concatenate([
        a[:, None, :] + along[None, :, None] * d[:, None, :],
        b[:, None, :] + run[None, :, None] * d[:, None, :],
        a[:, None, :] - run[None, :, None] * d[:, None, :],
    ], axis=1)  # (4, samples, 2)
    across = np.array([-_RUN_ON_ACROSS, _RUN_ON_ACROSS])  # inside, outside
    where = (points[:, :, None, :] + across[None, None, :, None] * outward[:, None, None, :])
    flat = where.reshape(-1, 2).astype(np.float32)
    picked = cv2.remap(image, flat[None, :, 0], flat[None, :, 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    lightness = cv2.cvtColor(picked, cv2.COLOR_BGR2LAB)[0, :, 0].astype(np.float64)
    lightness = lightness.reshape(where.shape[:3]) * (100.0 / 255.0)
    step = lightness[..., 0] - lightness[..., 1]  # (4, samples): inside minus outside
    inside = ((where[..., 0] >= 0) & (where[..., 0] <= w - 1)
              & (where[..., 1] >= 0) & (where[..., 1] <= h - 1)).all(axis=2)
    own = np.median(step[:, : len(along)], axis=1)
    k = len(along)
    past_end = step[:, k: k + len(run)]
    past_start = step[:, k + len(run):]

    def runs_on(past: npt.NDArray[np.float64], seen: npt.NDArray[np.bool_]) -> Sides:
        # Past a corner near the frame's edge only the nearest samples are in the picture.
        medians = np.array([np.median(p[s]) if s.sum() >= _RUN_ON_SEEN else 0.0
                            for p, s in zip(past, seen, strict=True)])
        carries: Sides = (own >= _RUN_ON_MIN_STEP) & (medians >= _RUN_ON_STEP * own)
        return carries

    end_runs = runs_on(past_end, inside[:, k: k + len(run)])
    start_runs = runs_on(past_start, inside[:, k + len(run):])
    # Side k lies between corners k and k+1: side k-1 runs on past corner k (its end), side
    # k+1 past corner k+1 (its start).
    open_sides: Sides = end_runs[PREVIOUS] & start_runs[NEXT]
    return open_sides


def _sides_running_off(image: Image, quad: Quad) -> Sides:
    """The sides of ``quad`` whose own edge carries on past one of their corners, with the
    side's step (paper inside, counter outside), all the way to the frame's border.

    A sheet's side ends at its corners; one that runs on out of the picture belongs to a
    sheet that goes on beyond it, so this outline closes on something printed on that
    sheet (a table rule, a column) or on a part of it. ``_run_on_sides`` looks a few
    percent past the corners and needs both neighbours of a side to run on; on real pages
    slid partly off the frame and seen at 0.75-0.9 of the camera's resolution, outlines
    closing on a table rule were accepted where one of the rule's neighbours was faint (a
    glare patch on the counter beside it) while the other, the page's own side, ran on to
    the border (3 of 13 such answers; no page lost on any synthetic split).
    """
    h, w = image.shape[:2]
    a, b = quad, quad[NEXT]
    d = b - a
    outward = _outward_normals(quad)
    margin = _RUN_ON_ACROSS + _OFF_DRIFT
    sides, points, valid = _runs_to_border(a, b, w, h, _OFF_END)
    if not sides:
        return np.zeros(4, bool)
    across = np.arange(-margin, margin + 1.0)
    normals = outward[sides]  # (runs, 2)
    run_where = points[:, :, None, :] + across[None, None, :, None] * normals[:, None, None, :]
    along = np.array(_RUN_ON_ALONG)
    own_points = a[:, None, :] + along[None, :, None] * d[:, None, :]  # (4, samples, 2)
    own_where = (own_points[:, :, None, :] + np.array([-_RUN_ON_ACROSS, _RUN_ON_ACROSS])
                 [None, None, :, None] * outward[:, None, None, :])
    # One remap for everything: each side's own step, then every run's profiles across it.
    flat = np.concatenate([own_where.reshape(-1, 2), run_where.reshape(-1, 2)])
    flat = flat.astype(np.float32)
    picked = cv2.remap(image, flat[None, :, 0], flat[None, :, 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    lightness = cv2.cvtColor(picked, cv2.COLOR_BGR2LAB)[0, :, 0].astype(np.float64)
    lightness *= 100.0 / 255.0
    own_count = own_where[..., 0].size
    own = lightness[:own_count].reshape(4, len(along), 2)
    own_step = np.median(own[..., 0] - own[..., 1], axis=1)[sides]  # per run
    own_paper = np.median(own[..., 0], axis=1)[sides]
    profile = lightness[own_count:].reshape(len(sides), _OFF_SAMPLES, len(across))
    # The side's step wherever across the drift it is (inside minus outside, 2 x 3 px
    # apart), with the sheet's paper on its inside: a cable or a tray's rim in line with the
    # side makes a step too, but with the counter inside it.
    gap = int(2 * _RUN_ON_ACROSS)
    inside, outside = profile[..., :-gap], profile[..., gap:]
    carries = ((inside - outside >= _RUN_ON_STEP * own_step[:, None, None])
               & (inside >= _OFF_PAPER * own_paper[:, None, None])).any(axis=2)
    held = (carries & valid).sum(axis=1) >= _OFF_HOLD * valid.sum(axis=1)
    off: Sides = np.zeros(4, bool)
    np.logical_or.at(off, np.array(sides), held & (own_step >= _RUN_ON_MIN_STEP))
    return off


def _runs_to_border(a: Quad, b: Quad, w: int, h: int, margin: float
                    ) -> tuple[list[int], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """For ``_sides_running_off``: per side a -> b and direction (past b, then past a) whose
    line goes on inside the frame for a few samples at least, the side's index and up to
    ``_OFF_SAMPLES`` points from just past the corner to ``margin`` px from the border
    (runs x samples x 2), padded to that many; ``valid`` marks the real ones."""
    sides: list[int] = []
    origins: list[tuple[float, float]] = []
    directions: list[tuple[float, float]] = []
    spacing: list[float] = []
    valid: list[npt.NDArray[np.bool_]] = []
    for k in range(4):
        dx, dy = float(b[k][0] - a[k][0]), float(b[k][1] - a[k][1])
        length = float(np.hypot(dx, dy))
        first = _RUN_ON_AT[0] * length
        for corner, sign in ((b[k], 1.0), (a[k], -1.0)):
            direction = (sign * dx / length, sign * dy / length)
            origin = (float(corner[0]) + first * direction[0],
                      float(corner[1]) + first * direction[1])
            room = _room_ahead(origin, direction, w, h, margin)
            if room < (_OFF_MIN_SAMPLES - 1) * _OFF_STEP:
                continue  # ends outside the frame already, or too near its border to judge
            count = min(_OFF_SAMPLES, int(room / _OFF_STEP) + 1)
            sides.append(k)
            origins.append(origin)
            directions.append(direction)
            spacing.append(room / max(count - 1, 1))
            valid.append(np.arange(_OFF_SAMPLES) < count)
    if not sides:
        return [], np.zeros((0, _OFF_SAMPLES, 2)), np.zeros((0, _OFF_SAMPLES), bool)
    reach = np.arange(_OFF_SAMPLES)[None, :] * np.array(spacing)[:, None]  # (runs, samples)
    points = np.array(origins)[:, None, :] + reach[..., None] * np.array(directions)[:, None, :]
    return sides, points, np.array(valid)


def _room_ahead(point: tuple[float, float], direction: tuple[float, float], w: int, h: int,
                margin: float) -> float:
    """How far from ``point`` along the unit ``direction`` the line stays ``margin`` px inside
    a ``w`` x ``h`` frame; -1 when ``point`` is not inside it. In plain floats: it runs eight
    times per outline judged."""
    room = float("inf")
    for at, step, high in ((point[0], direction[0], w - 1 - margin),
                           (point[1], direction[1], h - 1 - margin)):
        if not margin <= at <= high:
            return -1.0
        if step > 0:
            room = min(room, (high - at) / step)
        elif step < 0:
            room = min(room, (margin - at) / step)
    return room


def _line_sides(image: Image, quad: Quad) -> Sides:
    """The sides of ``quad`` fitted to a dark line lying on paper rather than to a border."""
    a, b = quad, quad[NEXT]
    outward = _outward_normals(quad)
    t = _spread(0.1, 0.9, _MARGIN_COLUMNS)[None, :, None]
    on_side = a[:, None, :] + t * (b - a)[:, None, :]  # (4, columns, 2)
    offsets = np.array(_LINE_INSIDE + _LINE_NEAR + _LINE_FAR)
    where = on_side[:, :, None, :] + offsets[None, None, :, None] * outward[:, None, None, :]
    flat = where.reshape(1, -1, 2).astype(np.float32)
    picked = cv2.remap(image, flat[..., 0], flat[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    lightness = cv2.cvtColor(picked, cv2.COLOR_BGR2LAB)[0, :, 0].astype(np.float64)
    profile = np.median(lightness.reshape(where.shape[:3]), axis=1)  # (4, offsets)
    inside = profile[:, : len(_LINE_INSIDE)].mean(axis=1)
    near = profile[:, len(_LINE_INSIDE): len(_LINE_INSIDE) + len(_LINE_NEAR)].min(axis=1)
    far = profile[:, len(_LINE_INSIDE) + len(_LINE_NEAR):].max(axis=1)
    lines: Sides = (near <= _LINE_DARK * inside) & (far >= _LINE_PAPER * inside)
    return lines


def _sheet_goes_on(image: Image, quad: Quad) -> Sides:
    """The sides of ``quad`` past which its sheet goes on to the frame's border.

    Past a sheet's own side lies what it rests on, which is darker than the sheet or of
    another tint, since that is what made the edge. On a page slid partly off the frame the
    largest outline still inside it may close on the edge of its print instead: a header
    bar or a block of small type a few pixels from the border, with the page's blank margin
    (lighter than the print, the same paper) between it and the border, where the line
    test (``_line_sides``) has no room to look. Such a side makes the outline one that runs
    off the frame (`cut_off`: "move the page into the tray"). On real pages slid off the
    frame it caught a datasheet's header rule (outside 1.17 times as light as inside it) and
    a patent's (1.18); synthetic pages near the border on light counters of their own tint
    read 0.98 at most.
    """
    h, w = image.shape[:2]
    reach = _ON_REACH * max(h, w)
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    if lo[0] > reach and lo[1] > reach and hi[0] < w - 1 - reach and hi[1] < h - 1 - reach:
        return np.zeros(4, bool)  # no side near the border: the common case, at no cost
    a, b = quad, quad[NEXT]
    outward = _outward_normals(quad)
    t = _spread(0.1, 0.9, _MARGIN_COLUMNS)[None, :, None]
    on_side = a[:, None, :] + t * (b - a)[:, None, :]  # (4, columns, 2)
    offsets = np.array(_ON_INSIDE + tuple(np.arange(_ON_FROM, reach + 1.0)))
    where = on_side[:, :, None, :] + offsets[None, None, :, None] * outward[:, None, None, :]
    seen = ((where[..., 0] >= 0) & (where[..., 0] <= w - 1)
            & (where[..., 1] >= 0) & (where[..., 1] <= h - 1))
    flat = where.reshape(1, -1, 2).astype(np.float32)
    picked = cv2.remap(image, flat[..., 0], flat[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    lab = cv2.cvtColor(picked, cv2.COLOR_BGR2LAB)[0].astype(np.float64)
    lab = lab.reshape((*where.shape[:3], 3))
    count = len(_ON_INSIDE)
    inside = np.median(lab[:, :, :count].reshape(4, -1, 3), axis=1)  # per side: L, a, b
    paper = inside[int(np.argmax(inside[:, 0]))]
    past, past_seen = lab[:, :, count:], seen[:, :, count:]
    # Columns whose reach ends at the border, seen for two samples at least before it: the
    # lightest of them is the paper between print (the print itself is darker).
    to_border = (~past_seen).any(axis=2) & (past_seen.sum(axis=2) >= 2)
    lightest = np.where(past_seen, past[..., 0], -1.0).max(axis=2)
    weights = np.maximum(past_seen.sum(axis=2), 1)
    tint = (np.where(past_seen[..., None], past[..., 1:], 0.0).sum(axis=2)
            / weights[..., None])  # (4, columns, 2): mean a, b past the side
    goes_on: Sides = np.zeros(4, bool)
    for k in range(4):
        columns = to_border[k]
        if columns.sum() < _MARGIN_COLUMNS // 2:
            continue  # the side is not near the border along most of its length
        light = float(np.median(lightest[k, columns]))
        a_k, b_k = np.median(tint[k, columns], axis=0)
        goes_on[k] = (light >= _ON_PAPER * paper[0] and light >= _ON_LIGHTER * inside[k, 0]
                      and float(np.hypot(a_k - paper[1], b_k - paper[2])) <= _ON_TINT)
    return goes_on


def _sheet_shaped(quad: Quad, max_aspect: float, min_angle: float) -> bool:
    sides = quad[NEXT] - quad
    lengths = np.hypot(sides[:, 0], sides[:, 1])
    if max(lengths[0] + lengths[2], lengths[1] + lengths[3]) > max_aspect * min(
            lengths[0] + lengths[2], lengths[1] + lengths[3]):
        return False
    prev = -sides[PREVIOUS]
    cos = np.einsum("kj,kj->k", sides, prev) / (lengths * lengths[PREVIOUS])
    return bool(np.all(np.degrees(np.arccos(np.clip(cos, -1, 1))) >= min_angle))


@dataclass
class _Findings:
    """What the search saw, sorted by what each outline can mean for the answer."""

    accepted: list[_Candidate] = field(default_factory=list)
    running_off: list[_Candidate] = field(default_factory=list)  # bright sheets leaving the frame
    weak: list[_Candidate] = field(default_factory=list)  # sheet-like, sides partly on edges
    glare: bool = False
    small: bool = False  # a usable-looking card too small in the frame
    sure: _Candidate | None = None  # the first accepted outline with every side on an edge
    regional: list[_Candidate] = field(default_factory=list)  # backed by a paper region

    def add(self, cand: _Candidate, verdict: _Verdict, sure_support: float,
            max_cut_share: float) -> None:
        self.glare |= verdict is _Verdict.GLARE
        self.small |= verdict is _Verdict.SMALL and not cand.touches_border
        if verdict is _Verdict.WEAK and not cand.touches_border:
            self.weak.append(cand)
        if verdict is not _Verdict.YES:
            return
        if cand.touches_border:
            if cand.area_share <= max_cut_share:  # larger: the counter, not a sheet on it
                self.running_off.append(cand)
            return
        self.accepted.append(cand)
        if self.sure is None and cand.min_side >= sure_support:
            self.sure = cand


def _conclude(found: _Findings) -> tuple[_Candidate | None, Reason, _Candidate | None]:
    """The page, or why there is none, and a region-backed outline in reserve for an
    edge-backed page that the full resolution does not confirm.

    The winner must not lie inside a sheet running off the frame (then it is a photo on that
    sheet, and the sheet is cut off), nor inside a much larger sheet-like outline that merely
    failed the edge test: then it is most likely a photo or table printed on a sheet whose
    border is hidden (cables, pens, a stack of paper), and no answer is better than a
    confident wrong one.
    """
    # An outline a paper region vouches for answers only where no edge-backed outline
    # passed: it fills "no page" on a cluttered pile and never replaces what the edges give
    # (letting it compete lost pages lying on a pile, whose edge outline is peeled to the top
    # sheet after this choice while the region's covers the pile's shared tint).
    best = _choose(found.accepted) or _choose(found.regional)
    if best is not None:
        if any(_contains(c.quad, best.quad, slack=-_INSET) for c in found.running_off):
            # Well inside a sheet running off the frame (a photo on a cut-off card); not
            # the page itself with its cut sides extended to the frame's edge.
            return None, Reason.CUT_OFF, None
        reserve = _choose(found.regional)
        if reserve is best or (reserve is not None and any(
                _contains(c.quad, reserve.quad, slack=-_INSET) for c in found.running_off)):
            reserve = None
        if any(_mostly_inside(w.quad, best.quad) for w in found.weak):
            # A block on a page whose border is hidden: unless a paper region shows that
            # page, there is no answer. (A region-backed winner is kept: it covers its
            # paper blob, so the weak outline around it is the pile, not a hidden page.)
            around = [r for r in found.regional if _mostly_inside(r.quad, best.quad, ratio=1.0)]
            if not around:
                return None, Reason.NO_PAGE, None
            best = max(around, key=_score)
            return best, Reason.OK, (None if reserve is best else reserve)
        return best, Reason.OK, reserve
    if found.running_off:
        return None, Reason.CUT_OFF, None
    return None, (Reason.GLARE if found.glare
                  else Reason.TOO_SMALL if found.small else Reason.NO_PAGE), None


def _choose(cands: list[_Candidate]) -> _Candidate | None:
    """The best outline, never a box printed on the page (a photo, a table) over the page."""
    outer = [
        c
        for c in cands
        if not any(
            o is not c and o.support >= c.support - _OUTER_MARGIN and _contains(o.quad, c.quad)
            for o in cands
        )
    ]
    return max(outer, key=_score, default=None)


def _mostly_inside(outer: Quad, inner: Quad, ratio: float = _BLOCK_RATIO) -> bool:
    """``inner`` is a block on the sheet ``outer``: mostly within it (a weak outline is only
    roughly placed) and under 1 / ``ratio`` of its area."""
    a, b = outer.astype(np.float32), inner.astype(np.float32)
    inner_area = abs(cv2.contourArea(b))
    inter, _ = cv2.intersectConvexConvex(a, b)
    return (float(inter) >= _BLOCK_INSIDE * inner_area
            and abs(cv2.contourArea(a)) >= ratio * inner_area)


def _contains(outer: Quad, inner: Quad, slack: float = 3.0, ratio: float = 1.2) -> bool:
    """``inner`` lies within ``outer`` (give or take ``slack`` px) and is clearly smaller."""
    poly = outer.astype(np.float32)
    inside = all(cv2.pointPolygonTest(poly, (float(x), float(y)), True) >= -slack
                 for x, y in inner)
    return inside and abs(cv2.contourArea(poly)) > ratio * abs(
        cv2.contourArea(inner.astype(np.float32)))


def _area(cand: _Candidate) -> float:
    return abs(cv2.contourArea(cand.quad.astype(np.float32)))


def _score(cand: _Candidate) -> float:
    """Well-supported first; among equals, the larger outline (a page, not its header box)."""
    return cand.support + 0.05 * float(np.log(max(_area(cand), 1.0)))


def _ransac_lines(
    edge: Quad, sample: npt.NDArray[np.intp], side: npt.NDArray[np.intp], todo: list[bool],
    n: int, tol: float, seed: int, mids: Quad, outward: Quad, inner: Sides | None = None,
) -> list[tuple[Quad, Quad, float] | None]:
    """Per side (where ``todo``), the best-supported line through its edge points (one vote
    per sample), refitted on its inliers; all four sides in one set of array operations,
    because a fit runs tens of times per frame and per-side calls cost more than the maths.

    Near-ties go to the outermost line: a printed frame or column running parallel to the
    sheet's border just inside it can gather as many votes; nothing printed lies outside it.
    On the sides flagged ``inner`` they go to the innermost (a top sheet's side, with the
    sheets under it just outside).

    Any number of sides at once (``mids`` has one row per side; ``_fit_sides`` fits both
    polarities of a quad's four sides together).

    Returns per side a point on the line, its direction and the share of the side's samples
    that support it; None for a side with too few points or no line.
    """
    count_sides = len(mids)
    counts = np.bincount(side, minlength=count_sides)[:count_sides]
    active = np.array(todo) & (counts >= _MIN_SIDE_POINTS)
    if not active.any():
        return [None] * count_sides
    width = int(counts.max())
    # Sides padded to one width; ``valid`` marks real points. Points come grouped by side
    # and, within a side, by sample (np.nonzero order).
    first = np.cumsum(counts) - counts  # where each side's points start
    slot = np.arange(len(side)) - first[side]
    # x and y apart, each (sides, width): numpy is slow on a last axis of two.
    xs, ys = np.zeros((count_sides, width)), np.zeros((count_sides, width))
    xs[side, slot], ys[side, slot] = edge[:, 0], edge[:, 1]
    valid = np.zeros((count_sides, width), bool)
    valid[side, slot] = True
    votes_of = np.zeros((count_sides, width, n), np.float32)  # one-hot: point -> its sample
    votes_of[side, slot, sample % n] = 1.0
    pairs = (_pair_table(seed)[None] * counts[:, None, None]).astype(np.intp)  # (S, P, 2)
    rows, first_of, second_of = np.arange(count_sides)[:, None], pairs[..., 0], pairs[..., 1]
    px, py = xs[rows, first_of], ys[rows, first_of]
    dx, dy = xs[rows, second_of] - px, ys[rows, second_of] - py
    s_of = np.zeros((count_sides, width), np.intp)
    s_of[side, slot] = sample
    lengths = np.hypot(dx, dy)
    keep = ((lengths > 10.0) & (s_of[rows, first_of] != s_of[rows, second_of])
            & active[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        nx, ny = -dy / lengths, dx / lengths  # (S, P) unit normals of the hypotheses
        offset = px * nx + py * ny
        # |n . point - offset| for every hypothesis and point, (S, P, width), in place
        dist = nx[..., None] * xs[:, None, :]
        dist += ny[..., None] * ys[:, None, :]
        dist -= offset[..., None]
        np.abs(dist, out=dist)
        hits = ((dist < tol) & valid[:, None, :]).astype(np.float32)
        votes = (np.matmul(hits, votes_of) > 0).sum(axis=2)  # (S, P): samples with an inlier
        reach = (((px - mids[:, 0, None]) * nx + (py - mids[:, 1, None]) * ny)
                 / (nx * outward[:, 0, None] + ny * outward[:, 1, None]))
    if inner is not None:
        reach = np.where(inner[:, None], -reach, reach)
    reach[~np.isfinite(reach)] = -np.inf
    votes = np.where(keep, votes, -1)
    strong = keep & (votes >= 0.9 * votes.max(axis=1, keepdims=True))
    best = np.argmax(np.where(strong, reach, -np.inf), axis=1)
    best = np.where(strong[np.arange(count_sides), best], best, np.argmax(strong, axis=1))
    inl = (dist[np.arange(count_sides), best] < tol) & valid
    ok = keep.any(axis=1) & (inl.sum(axis=1) >= 2)
    centre, direction, inl, ok = _least_squares(xs, ys, valid, inl, ok, tol)
    support = (np.matmul(inl[:, None, :].astype(np.float32), votes_of)[:, 0] > 0).sum(axis=1) / n
    return [(centre[k], direction[k], float(support[k])) if ok[k] and active[k] else None
            for k in range(count_sides)]


def _least_squares(
    xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64], valid: Sides,
    inl: Sides, ok: Sides, tol: float,
) -> tuple[Quad, Quad, Sides, Sides]:
    """Per row of points (x, y: one row per side), the line through its inliers ``inl``
    refitted by least squares, then its inliers chosen again, twice: (centre, direction,
    inliers, ``ok`` where a line still has two of them)."""
    cx = cy = cos = sin = np.zeros(len(xs))
    for _ in range(2):  # refit, then re-select with the better line
        w = inl.astype(np.float64)
        count = np.maximum(w.sum(axis=1), 1.0)
        cx, cy = (w * xs).sum(axis=1) / count, (w * ys).sum(axis=1) / count
        ux, uy = xs - cx[:, None], ys - cy[:, None]
        wx, wy = ux * w, uy * w
        # The least-squares direction in closed form: half the angle of the 2x2 covariance.
        angle = 0.5 * np.arctan2(2.0 * (wx * wy).sum(axis=1),
                                 (wx * wx).sum(axis=1) - (wy * wy).sum(axis=1))
        cos, sin = np.cos(angle), np.sin(angle)
        inl = (np.abs(ux * -sin[:, None] + uy * cos[:, None]) < tol) & valid
        ok = ok & (inl.sum(axis=1) >= 2)
    return np.stack([cx, cy], axis=1), np.stack([cos, sin], axis=1), inl, ok


@functools.cache
def _spread(start: float, stop: float, count: int) -> npt.NDArray[np.float64]:
    """``np.linspace(start, stop, count)``, made once: every fit and margin test asks."""
    values = np.linspace(start, stop, count)
    values.flags.writeable = False
    return values


@functools.cache
def _pair_table(seed: int) -> npt.NDArray[np.float64]:
    """RANSAC's point pairs as fractions of the point count: drawn once per seed, so every
    fit is repeatable and costs no generator set-up."""
    return np.random.default_rng(seed).random((_RANSAC_PAIRS, 2))


def _histogram(image: Image, channel: int, mask: Image) -> npt.NDArray[np.float64]:
    """The 256-bin histogram of one 8-bit channel under a mask."""
    hist = cv2.calcHist([image], [channel], mask, [256], [0, 256]).ravel()
    return np.asarray(hist, np.float64)


def _median(hist: npt.NDArray[np.float64]) -> float:
    """The median of the values a histogram counts (as np.median: the middle two averaged)."""
    cum = np.cumsum(hist)
    count = int(cum[-1])
    lo = int(np.searchsorted(cum, (count - 1) // 2 + 1))
    hi = int(np.searchsorted(cum, count // 2 + 1))
    return (lo + hi) / 2.0


def _outward_normals(quad: Quad) -> Quad:
    """Unit normals of a quad's sides (a -> b for each corner a), pointing away from it."""
    d = quad[NEXT] - quad
    normal = np.stack([d[:, 1], -d[:, 0]], axis=1) / np.hypot(*d.T)[:, None]
    mids = quad + d / 2 - quad.mean(axis=0)
    flip = np.einsum("kj,kj->k", normal, mids) < 0
    normal[flip] *= -1
    out: Quad = normal
    return out


def _visible_share(quad: Quad, w: int, h: int) -> float:
    """How much of a ``w`` x ``h`` frame the part of ``quad`` inside it covers."""
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    inter, _ = cv2.intersectConvexConvex(quad.astype(np.float32), frame)
    return float(inter) / float(w * h)


def _size(quad: Quad) -> float:
    return float(np.hypot(*(quad.max(axis=0) - quad.min(axis=0))))


def _along_border(a: tuple[float, float], b: tuple[float, float], w: int, h: int,
                  margin: float) -> bool:
    for axis, limit in ((0, 0.0), (0, w - 1.0), (1, 0.0), (1, h - 1.0)):
        if abs(a[axis] - limit) <= margin and abs(b[axis] - limit) <= margin:
            return True
    return False


def _outside(quad: Quad, w: int, h: int, margin: float) -> bool:
    (x0, y0), (x1, y1) = quad.min(axis=0).tolist(), quad.max(axis=0).tolist()
    return bool(x0 < margin - 0.5 or y0 < margin - 0.5
                or x1 > w - 0.5 - margin or y1 > h - 0.5 - margin)


def _pyramid(frame: Image, work_size: int) -> list[Image]:
    """Halvings of ``frame`` down to a long side near ``work_size`` (first item: the frame).

    Halving with INTER_LINEAR averages 2x2 blocks exactly and is ~3x faster than INTER_AREA.
    """
    levels = [frame]
    while max(levels[-1].shape[:2]) >= 1.5 * work_size:
        h, w = levels[-1].shape[:2]
        levels.append(cv2.resize(levels[-1], (w // 2, h // 2), interpolation=cv2.INTER_LINEAR))
    return levels


def _white_of(lab: Image, max_cast: float) -> White:
    """The Lab (a, b) that white paper reads as in ``lab``: the median colour of the
    brightest pixels (the top ``_WHITE_SHARE``), at most ``max_cast`` from neutral grey.

    The colour tests (the paper check's tint limit, the paper regions' chroma) ask "is it
    white paper?", and white paper is the colour of the light: in a frame whose bulbs or
    white balance make it read 50 units from grey it would otherwise fail them as a coloured
    object. The brightest pixels are usually the paper itself; when they are a coloured
    object instead (a highlighter alone in view), the cap keeps that object far from white.
    Only the tests measure from it: the proposals and edges see the frame as it is
    (shifting the whole frame's colours instead gave the same answers within one page on
    the real frames under other lights, and changed what every proposal sees).
    """
    lum, a, b = cv2.split(lab)
    _, bright = cv2.threshold(lum, _percentile(lum, 1.0 - _WHITE_SHARE) - 1, 255,
                              cv2.THRESH_BINARY)  # lum >= the percentile
    cast = np.array([_median(_histogram(a, 0, bright)), _median(_histogram(b, 0, bright))])
    cast -= 128.0
    size = float(np.abs(cast).sum())
    cast *= min(1.0, max_cast / max(size, 1e-9))
    return 128.0 + float(cast[0]), 128.0 + float(cast[1])


def _percentile(grey: Image, q: float) -> float:
    return float(percentile(grey, q))


def _scale(level: Image, frame: Image) -> Scale:
    return np.array([level.shape[1] / frame.shape[1], level.shape[0] / frame.shape[0]])
