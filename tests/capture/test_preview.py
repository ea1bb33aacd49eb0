"""The preview detector on real frames: same answers as a fresh search, less work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.capture.detect import Detection, PageDetector
from kiosk.capture.metric import jaccard
from kiosk.capture.preview import PreviewDetector
from tests.support.realset import load

pytestmark = pytest.mark.in_process

FRAMES = load(Path(__file__).resolve().parents[2] / "bench" / "data" / "realdocs-dev")


class CountingDetector(PageDetector):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def detect(self, frame: np.ndarray, hint: np.ndarray | None = None) -> Detection:
        self.calls += 1
        return super().detect(frame, hint)


def _noisy(image: np.ndarray, seed: int) -> np.ndarray:
    """The same scene a frame later: sensor noise of about two grey levels."""
    noise = np.random.default_rng(seed).normal(0, 2.0, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def test_a_still_scene_is_not_searched_again() -> None:
    counting = CountingDetector()
    preview = PreviewDetector(counting)
    frame = FRAMES[0]
    first = preview.detect(frame.image())
    assert first.quad is not None and jaccard(first.quad, frame.quad) >= 0.95
    for seed in range(3):
        assert preview.detect(_noisy(frame.image(), seed)) is first
    assert counting.calls == 1


def test_a_changed_scene_is_detected_again() -> None:
    counting = CountingDetector()
    preview = PreviewDetector(counting)
    plain = [f for f in FRAMES if f.name.startswith("background01")]
    for frame in plain[:3]:  # another page placed on the tray each time
        found = preview.detect(frame.image())
        assert found.quad is not None and jaccard(found.quad, frame.quad) >= 0.95
    assert counting.calls == 3
    cluttered = next(f for f in FRAMES if f.name.startswith("background05"))
    found = preview.detect(cluttered.image())  # the old page does not linger: this one's,
    assert found.quad is None or jaccard(found.quad, cluttered.quad) >= 0.85  # if any
    assert counting.calls == 4


def test_a_removed_page_is_noticed() -> None:
    preview = PreviewDetector()
    frame = FRAMES[0]
    assert preview.detect(frame.image()).quad is not None
    image = frame.image()
    desk = image[:, :500].mean(axis=(0, 1)).astype(np.uint8)
    x0, y0 = np.floor(frame.quad.min(axis=0)).astype(int) - 10
    x1, y1 = np.ceil(frame.quad.max(axis=0)).astype(int) + 10
    image[y0:y1, x0:x1] = desk  # the page taken away
    assert preview.detect(image).quad is None


def test_bad_frames_are_refused_as_by_the_detector() -> None:
    with pytest.raises(ValueError):
        PreviewDetector().detect(np.zeros((10, 10, 4), np.uint8))
