"""The camera as a photographer: a complaint's photo of whatever the resident holds up to the
kiosk's camera (a damaged road on their phone, a printed picture, a letter).

Unlike a document scan nothing is detected or flattened: the resident sees the live picture,
presses the shutter, and sees the still to keep or retake. The picture goes to the screen
through the scanner's ``CameraPreviewSlot`` (frames never travel as events) and the still is
left in it while the resident decides. The photo is encoded as a JPEG in memory, at most
``PHOTO_MAX``, and goes nowhere but the session (and from there the sealed outbox).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import cv2

from drivers.camera import Camera, CameraUnavailable
from drivers.camera.frame import Image
from kiosk.captured import PhotoFailed, ScannedDocument, Shutter
from kiosk.scanning import CameraPreviewSlot

PHOTO_MAX = (1600, 1200)  # (w, h): enough for an officer to see the problem, ~300 kB as JPEG
JPEG_QUALITY = 85


def encode_photo(image: Image, max_size: tuple[int, int] = PHOTO_MAX) -> bytes:
    """The BGR ``image`` shrunk to fit ``max_size`` (aspect kept), as JPEG bytes."""
    height, width = image.shape[:2]
    scale = min(1.0, max_size[0] / width, max_size[1] / height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if scale < 1 else image
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise PhotoFailed("the still could not be encoded")
    return encoded.tobytes()


class CameraPhotographer:
    def __init__(
        self,
        camera: Camera,
        preview: CameraPreviewSlot,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._camera = camera
        self.preview = preview  # the same slot the scan screen reads
        self._clock = clock

    def photograph(self, shutter: Shutter, timeout_s: float = 60.0) -> ScannedDocument | None:
        """Live picture into the slot until ``shutter`` is pressed or ``timeout_s`` passes.
        Pressed to take: the still, also left in the slot. Closed or timed out: None and an
        empty slot. Raises ``PhotoFailed`` when the shutter was pressed but no still came."""
        with self._camera.watching():  # the live picture and the still: one watch
            self._show_live(shutter, timeout_s)
            if not shutter.taking:
                self.preview.clear()
                return None
            try:
                still = self._camera.capture_still(timeout=5.0)
                document = ScannedDocument(encode_photo(still.image), "image/jpeg")
            except (CameraUnavailable, PhotoFailed) as error:
                self.preview.clear()
                raise PhotoFailed(type(error).__name__) from None
        self.preview.put(still.image)  # the still stays on screen: keep it or retake
        return document

    def _show_live(self, shutter: Shutter, timeout_s: float) -> None:
        """Every new frame into the slot until the shutter is pressed or ``timeout_s`` passes
        (the caller holds the camera's watch, so the still follows without a rest between)."""
        deadline = self._clock() + timeout_s
        live = self._camera.new_frames(
            lambda: not shutter.pressed and self._clock() < deadline, wait_s=0.5
        )
        for frame in live:
            self.preview.put(frame.image)

    def put_away(self) -> None:
        self.preview.clear()
