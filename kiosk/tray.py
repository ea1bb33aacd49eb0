"""What the screen gets of the tray camera: the latest shrunk picture and the scan's guidance.

Nothing here touches an image library. The camera, the page detector and the capture
pipeline run in a process of their own (``kiosk.camera_host``), which sends the app each
preview picture already shrunk to RGB bytes and each verdict as a ``ScanGuidance``; the app's
process shows them and never imports OpenCV or numpy for it.

The picture reaches the screen through a ``PreviewSlot``, not through the session's events:
each picture is left in a one-picture slot that the screen reads from its own clock. A
picture the screen has not fetched yet is simply replaced, so a busy UI never queues them
(each is ~0.7 MB) and the session's state never holds one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from central.contract.models import LocalizedText
from common.events import Event
from kiosk.capture.guidance import GUIDANCE, Code

PREVIEW_MAX = (640, 360)  # (w, h): sharper than the screen's preview box needs, ~0.7 MB RGB


@dataclass(frozen=True, eq=False)
class PreviewFrame:
    """A shrunk camera frame for the screen: RGB bytes, rows top to bottom.

    ``source_size`` is the camera frame's size, the space ``ScanGuidance.quad`` is in."""

    rgb: bytes
    size: tuple[int, int]
    source_size: tuple[int, int]
    number: int


class PreviewSlot:
    """The latest preview picture, one at a time: written by whoever watches the camera (a
    scan, the technician's check, the photo and QR readers), read by the screen's clock.

    Only a reference is swapped under the lock, so neither side ever waits for the other's
    work; a reader that falls behind skips pictures instead of queueing them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: PreviewFrame | None = None
        self._count = 0
        self._generation = 0  # one more at every clear()

    @property
    def generation(self) -> int:
        """Changes at every ``clear()``: a writer that started before it can be ignored."""
        with self._lock:
            return self._generation

    def show(
        self,
        rgb: bytes,
        size: tuple[int, int],
        source_size: tuple[int, int],
        *,
        generation: int | None = None,
    ) -> PreviewFrame | None:
        """Make the picture the latest; the frame kept, or None when ``generation`` is given
        and the slot was cleared since (a picture still on its way when the watch ended must
        not come back on screen)."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return None
            self._count += 1
            self._frame = PreviewFrame(rgb, size, source_size, self._count)
            return self._frame

    def latest(self, after: int = 0) -> PreviewFrame | None:
        """The latest frame if it is newer than frame number ``after``, else None."""
        with self._lock:
            frame = self._frame
        return frame if frame is not None and frame.number > after else None

    def clear(self) -> None:
        """No picture to show (the watch ended): the screen keeps none of the tray either."""
        with self._lock:
            self._frame = None
            self._generation += 1


@dataclass(frozen=True)
class ScanGuidance(Event):
    """One preview frame's verdict. ``quad`` is in preview pixels, clockwise from top-left."""

    phase: str
    guidance: LocalizedText
    progress: float
    quad: tuple[tuple[float, float], ...] | None
    frame_size: tuple[int, int]


def guidance_text(code: Code) -> LocalizedText:
    text = GUIDANCE[code]
    return LocalizedText(id=text["id"], en=text["en"])
