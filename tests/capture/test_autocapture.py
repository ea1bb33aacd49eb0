"""Auto-capture: steady for N frames, exactly one capture, re-armed when the page leaves."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.capture.autocapture import AutoCapture, AutoCaptureConfig, Phase
from kiosk.capture.detect import Detection, Reason
from kiosk.capture.guidance import Code

pytestmark = pytest.mark.in_process

FRAME = (1920, 1080)
PAGE = np.array([[600.0, 100.0], [1300.0, 110.0], [1290.0, 1000.0], [610.0, 990.0]])


def seen(quad: np.ndarray | None, reason: Reason = Reason.OK) -> Detection:
    return Detection(quad, 0.9 if quad is not None else 0.0, reason, FRAME)


def test_steady_page_is_captured_once() -> None:
    auto = AutoCapture(AutoCaptureConfig(frames=4))
    phases = [auto.feed(seen(PAGE + 0.5 * (i % 2))).phase for i in range(8)]
    assert phases[:3] == [Phase.STEADYING] * 3
    assert phases[3] is Phase.CAPTURE
    assert phases[4:] == [Phase.CAPTURED] * 4


def test_moving_page_is_not_captured() -> None:
    auto = AutoCapture(AutoCaptureConfig(frames=4))
    for i in range(12):
        advice = auto.feed(seen(PAGE + 20.0 * (i % 2)))  # jiggling back and forth
        assert advice.phase is Phase.STEADYING
        assert advice.guidance is Code.HOLD_STILL


def test_progress_rises_then_resets_on_a_jolt() -> None:
    auto = AutoCapture(AutoCaptureConfig(frames=5))
    assert auto.feed(seen(PAGE)).progress == 0.2
    assert auto.feed(seen(PAGE)).progress == 0.4
    assert auto.feed(seen(PAGE + 50)).progress == 0.2


def test_guidance_for_missing_cut_off_and_small_pages() -> None:
    auto = AutoCapture()
    assert auto.feed(seen(None, Reason.NO_PAGE)).guidance is Code.NO_PAGE
    assert auto.feed(seen(None, Reason.CUT_OFF)).guidance is Code.CUT_OFF
    edge = PAGE.copy()
    edge[0] = [0.0, 100.0]
    assert auto.feed(seen(edge)).guidance is Code.CUT_OFF
    tiny = (PAGE - PAGE.mean(axis=0)) * 0.2 + PAGE.mean(axis=0)
    assert auto.feed(seen(tiny)).guidance is Code.TOO_SMALL


def test_rearms_when_the_page_is_taken_away_or_on_reset() -> None:
    auto = AutoCapture(AutoCaptureConfig(frames=2))
    auto.feed(seen(PAGE))
    assert auto.feed(seen(PAGE)).phase is Phase.CAPTURE
    assert auto.feed(seen(PAGE)).phase is Phase.CAPTURED
    assert auto.feed(seen(None, Reason.NO_PAGE)).phase is Phase.SEARCHING
    auto.feed(seen(PAGE))
    assert auto.feed(seen(PAGE)).phase is Phase.CAPTURE
    auto.reset()
    auto.feed(seen(PAGE))
    assert auto.feed(seen(PAGE)).phase is Phase.CAPTURE


def test_a_region_backed_page_is_outlined_but_never_taken() -> None:
    """A page found on a paper region's word (faint edges on a cluttered pile) may hold a
    sheet beneath: however steady, the resident is asked to clear around it."""
    auto = AutoCapture(AutoCaptureConfig(frames=2))
    weak = Detection(PAGE, 0.45, Reason.OK, FRAME, region_backed=True)
    for _ in range(6):
        advice = auto.feed(weak)
        assert advice.phase is Phase.SEARCHING
        assert advice.guidance is Code.CLUTTER
    auto.feed(seen(PAGE))  # the clutter cleared: the edges carry it
    assert auto.feed(seen(PAGE)).phase is Phase.CAPTURE
