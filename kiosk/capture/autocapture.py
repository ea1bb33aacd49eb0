"""Decide when to take the still: the page found, whole and steady for a few frames in a row.

Fed one Detection per preview frame, it answers with what to tell the resident and, once,
"capture now". It keeps no frames, only the last outline, so it costs nothing per frame.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from kiosk.capture.detect import Detection, Reason
from kiosk.capture.geometry import Quad
from kiosk.capture.guidance import Code
from kiosk.capture.quality import long_side_share, touches_border


class Phase(enum.StrEnum):
    SEARCHING = "searching"  # no usable page in view
    STEADYING = "steadying"  # page in view, waiting for it to hold still
    CAPTURE = "capture"  # take the still now (reported once)
    CAPTURED = "captured"  # done; waiting for the page to leave or for reset()


@dataclass(frozen=True)
class AutoCaptureConfig:
    frames: int = 5  # consecutive steady frames needed
    max_motion: float = 0.004  # worst corner move per frame, share of the frame diagonal
    min_long_side: float = 0.35  # page long side / frame short side; smaller is too small
    border_margin: float = 3.0  # px: a corner this close to the frame edge is cut off


@dataclass(frozen=True)
class Advice:
    phase: Phase
    guidance: Code
    progress: float  # 0..1 towards the capture, for a ring on screen


class AutoCapture:
    """One per scan step; not thread-safe (feed it from the thread that reads detections)."""

    def __init__(self, config: AutoCaptureConfig | None = None) -> None:
        self.config = config or AutoCaptureConfig()
        self._last: Quad | None = None
        self._steady = 0
        self._captured = False

    def reset(self) -> None:
        """Arm again, e.g. after the resident chose to retake."""
        self._last = None
        self._steady = 0
        self._captured = False

    def feed(self, detection: Detection) -> Advice:
        cfg = self.config
        problem = self.problem(detection)
        if problem is not None:
            self._last = None
            self._steady = 0
            if detection.quad is None and detection.reason is Reason.NO_PAGE:
                self._captured = False  # the page was taken away: ready for the next one
            return Advice(Phase.CAPTURED if self._captured else Phase.SEARCHING, problem, 0.0)
        quad = detection.quad
        assert quad is not None
        if self._captured:
            return Advice(Phase.CAPTURED, Code.OK, 1.0)
        w, h = detection.frame_size
        limit = cfg.max_motion * float(np.hypot(w, h))
        if self._last is not None and float(np.abs(quad - self._last).max()) <= limit:
            self._steady += 1
        else:
            self._steady = 1
        self._last = quad
        if self._steady >= cfg.frames:
            self._captured = True
            return Advice(Phase.CAPTURE, Code.OK, 1.0)
        return Advice(Phase.STEADYING, Code.HOLD_STILL, self._steady / cfg.frames)

    def problem(self, detection: Detection) -> Code | None:
        """What keeps ``detection`` from being taken, however steady it stays (None: it
        would be taken). Stateless, so ``bench/capture.py`` asks it of single detections
        to count the wrong outlines the kiosk would actually capture."""
        if detection.quad is None:
            return Code(str(detection.reason))
        quad, frame = detection.quad, detection.frame_size
        if touches_border(quad, frame, self.config.border_margin):
            return Code.CUT_OFF
        if long_side_share(quad, frame) < self.config.min_long_side:
            return Code.TOO_SMALL
        if detection.region_backed:  # faint edges: the outline may hold a sheet beneath
            return Code.CLUTTER
        return None
