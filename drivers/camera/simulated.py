"""A camera without a camera: frames from image or video files, or a moving test pattern,
with fault switches the tests and the demo flip at run time (black, empty, disconnected)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from drivers.camera.frame import CameraUnavailable, Image, as_image

VIDEO_SUFFIXES = {".avi", ".mp4", ".mkv", ".mov", ".webm"}


class SimulatedSource:
    """Cycles through ``files`` (images shown once each, videos frame by frame), resized to
    the requested resolution like a real camera would deliver."""

    paced = False

    def __init__(self, files: Sequence[str | Path] = ()) -> None:
        self.files = [Path(f) for f in files]
        self.black = False
        self.empty = False
        self._disconnected = threading.Event()
        self._size = (640, 480)
        self._index = 0
        self._tick = 0
        self._video: cv2.VideoCapture | None = None
        self._stills: dict[Path, Image | None] = {}

    # fault switches (any thread)
    @property
    def disconnected(self) -> bool:
        return self._disconnected.is_set()

    @disconnected.setter
    def disconnected(self, value: bool) -> None:
        if value:
            self._disconnected.set()
        else:
            self._disconnected.clear()

    def describe(self) -> str:
        return "simulated camera"

    def open(self, width: int, height: int) -> None:
        if self.disconnected:
            raise CameraUnavailable("simulated camera is unplugged")
        missing = [str(f) for f in self.files if not f.is_file()]
        if missing:
            raise CameraUnavailable(f"simulated camera files missing: {', '.join(missing)}")
        self.set_size(width, height)

    def set_size(self, width: int, height: int) -> None:
        self._size = (width, height)

    def read(self) -> Image | None:
        if self.disconnected:
            return None
        if self.empty:
            return np.empty((0, 0, 3), np.uint8)
        width, height = self._size
        if self.black:
            return np.zeros((height, width, 3), np.uint8)
        image = self._next_image()
        if image.shape[:2] != (height, width):
            image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA).astype(
                np.uint8
            )
        return image

    def close(self) -> None:
        """Closed, it holds no picture, as a closed device holds none: a resting camera's
        simulator would otherwise keep its tray's decoded photo (6 MB at 1920x1080) for as
        long as the photo lies there. The next open decodes it again (some 15 ms)."""
        if self._video is not None:
            self._video.release()
            self._video = None
        self._stills = {}

    def _next_image(self) -> Image:
        if not self.files:
            return self._pattern()
        image = self._read_current()
        if image is None:  # the video ended or the file is unreadable: on to the next file
            self.close()
            self._index += 1
            image = self._read_current()
        return image if image is not None else self._pattern()

    def _read_current(self) -> Image | None:
        path = self.files[self._index % len(self.files)]
        if path.suffix.lower() in VIDEO_SUFFIXES:
            if self._video is None:
                self._video = cv2.VideoCapture(str(path))
            ok, image = self._video.read()
            return as_image(image) if ok else None
        self._index += 1
        if path not in self._stills:
            # Decoded once, kept only while on the tray: a demo's or a bench's tray sees one
            # photo after another, each 6 MB decoded at 1920x1080.
            shown = set(self.files)
            self._stills = {p: still for p, still in self._stills.items() if p in shown}
            self._stills[path] = as_image(cv2.imread(str(path), cv2.IMREAD_COLOR))
        return self._stills[path]

    def _pattern(self) -> Image:
        """A grey ramp with a bar that moves every frame, so consecutive frames differ."""
        width, height = self._size
        ramp = np.linspace(40, 220, width, dtype=np.uint8)
        image = np.repeat(np.tile(ramp, (height, 1))[:, :, None], 3, axis=2)
        x = (self._tick * 8) % max(1, width - 16)
        image[:, x : x + 16] = 255
        self._tick += 1
        return image
