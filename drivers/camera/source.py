"""Where frames come from: OpenCV ``VideoCapture`` for real cameras and video files.

A source is used only by its camera's grab thread, so it needs no locking. ``open`` raises
``CameraUnavailable``; ``read`` returns ``None`` when no frame came (unplugged, end of file).
"""

from __future__ import annotations

import logging
from typing import Protocol

import cv2

from drivers.camera.frame import CameraUnavailable, Image, as_image

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    paced: bool
    """True when ``read`` waits for the next frame by itself (a camera); files are not."""

    def describe(self) -> str: ...

    def open(self, width: int, height: int) -> None: ...

    def read(self) -> Image | None: ...

    def set_size(self, width: int, height: int) -> None: ...

    def close(self) -> None: ...


class OpenCvSource:
    """A V4L2 camera (index or ``/dev/videoN``) or a video file, with open/read timeouts."""

    def __init__(self, source: int | str, *, loop: bool = False, timeout: float = 2.0) -> None:
        self.source = source
        self.loop = loop
        self.paced = isinstance(source, int) or str(source).startswith("/dev/")
        self._timeout_ms = int(timeout * 1000)
        self._capture: cv2.VideoCapture | None = None

    def describe(self) -> str:
        return f"opencv:{self.source}"

    def open(self, width: int, height: int) -> None:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self._timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, self._timeout_ms,
        ]  # fmt: skip
        try:
            capture = cv2.VideoCapture(self.source, cv2.CAP_ANY, params)
        except cv2.error as err:
            raise CameraUnavailable(f"cannot open {self.describe()}: {err}") from err
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(f"cannot open {self.describe()}")
        self._capture = capture
        self.set_size(width, height)

    def set_size(self, width: int, height: int) -> None:
        """Ask for a resolution; a file keeps its own and the camera picks the nearest mode."""
        if self._capture is not None and self.paced:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)

    def read(self) -> Image | None:
        if self._capture is None:
            return None
        ok, image = self._capture.read()
        if not ok and self.loop and not self.paced:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
        return as_image(image) if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
