"""Page detection for a live preview: one camera stream, frames in order, one thread.

A preview mostly watches a still scene: an empty tray, or a page lying on it while the
resident waits. Searching every frame from scratch (10-30 ms on one core) would spend the
frame budget (33 ms at 30 fps) on nothing new, so:

- while the scene has not changed since the last detection (a thumbnail comparison, well
  under a millisecond), the last answer stands;
- when it has changed and the last answer had a page, that outline is followed first
  (``PageDetector.detect(frame, hint=...)``: one narrow fit, ~5 ms), which holds while the
  page lies still or slides a little;
- otherwise the full search runs.

The answer for a frame is always one the detector would give for it or for a frame
indistinguishable from it; nothing here lowers the acceptance tests. Not thread-safe: one
instance per camera stream, fed from one thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.detect import Detection, PageDetector

Image = npt.NDArray[Any]


@dataclass(frozen=True)
class PreviewConfig:
    thumb_size: tuple[int, int] = (240, 135)  # (w, h) of the comparison thumbnail
    changed_level: int = 16  # grey levels: a thumbnail pixel this different has changed
    # More changed pixels than this share means something moved (a hand, a page): sensor
    # noise and JPEG stay far below 16 levels after the blur, a page corner does not.
    max_changed_share: float = 0.002
    max_mean_change: float = 3.0  # grey levels: slow drift (auto-exposure) re-detects too


class PreviewDetector:
    """Detect on preview frames, reusing work while the scene stays the same."""

    def __init__(self, detector: PageDetector | None = None,
                 config: PreviewConfig | None = None) -> None:
        self.detector = detector or PageDetector()
        self.config = config or PreviewConfig()
        self._thumb: Image | None = None  # of the frame the last answer was computed on
        self._shape: tuple[int, ...] | None = None
        self._last: Detection | None = None

    def detect(self, frame: Image) -> Detection:
        """The page in ``frame``, as ``PageDetector.detect`` would find it."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8 or frame.size == 0:
            return self.detector.detect(frame)  # grey frames are converted, bad ones refused
        thumb = cv2.blur(cv2.cvtColor(
            cv2.resize(frame, self.config.thumb_size, interpolation=cv2.INTER_LINEAR),
            cv2.COLOR_BGR2GRAY), (3, 3))
        last = self._last
        if (last is not None and self._thumb is not None and self._shape == frame.shape
                and self._unchanged(thumb, self._thumb)):
            return last
        found = self.detector.detect(frame, hint=None if last is None else last.quad)
        self._thumb, self._shape, self._last = thumb, frame.shape, found
        return found

    def reset(self) -> None:
        """Forget the last answer (a new resident, a camera restart)."""
        self._thumb, self._shape, self._last = None, None, None

    def _unchanged(self, thumb: Image, before: Image) -> bool:
        diff = cv2.absdiff(thumb, before)
        cfg = self.config
        changed = int(np.count_nonzero(diff >= cfg.changed_level))
        return (changed <= cfg.max_changed_share * diff.size
                and float(diff.mean()) <= cfg.max_mean_change)
