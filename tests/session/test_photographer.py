"""The complaint photo's camera on the simulated camera (a real grab thread and still): the
live picture in the preview slot until the shutter, the still left there to keep or retake,
a JPEG of bounded size, nothing left behind when the viewfinder is closed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from common.events import EventBus
from drivers.camera import simulated_camera
from kiosk.captured import PhotoFailed, Shutter
from kiosk.photo import PHOTO_MAX, CameraPhotographer, encode_photo
from kiosk.scanning import CameraPreviewSlot
from tests.journeys.conftest import page_photo

WAIT_S = 30.0


def _press_after_frames(slot: CameraPreviewSlot, shutter: Shutter, take: bool, frames: int) -> None:
    """The resident's press, from another thread, once the viewfinder showed ``frames``."""

    def watch() -> None:
        while (frame := slot.latest()) is None or frame.number < frames:
            time.sleep(0.01)
        (shutter.take if take else shutter.close)()

    threading.Thread(target=watch, daemon=True).start()


def test_the_viewfinder_shows_the_camera_until_the_shutter_and_leaves_the_still(
    tmp_path: Path,
) -> None:
    photo = page_photo(tmp_path / "road.jpg", seed=3)
    camera = simulated_camera(files=[photo], bus=EventBus(), fps=30, width=1920, height=1080)
    slot = CameraPreviewSlot()
    photographer = CameraPhotographer(camera, slot)
    shutter = Shutter()
    _press_after_frames(slot, shutter, take=True, frames=3)
    with camera:
        document = photographer.photograph(shutter, timeout_s=WAIT_S)
    assert document is not None and document.content_type == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(document.content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    assert image.shape[1] <= PHOTO_MAX[0] and image.shape[0] <= PHOTO_MAX[1]
    still = slot.latest()
    assert still is not None and still.source_size == (1920, 1080)  # the still, on screen
    photographer.put_away()
    assert slot.latest() is None


def test_closing_the_viewfinder_takes_no_photo_and_empties_the_slot(tmp_path: Path) -> None:
    photo = page_photo(tmp_path / "road.jpg", seed=3)
    camera = simulated_camera(files=[photo], bus=EventBus(), fps=30, width=1280, height=720)
    slot = CameraPreviewSlot()
    shutter = Shutter()
    _press_after_frames(slot, shutter, take=False, frames=2)
    with camera:
        assert CameraPhotographer(camera, slot).photograph(shutter, timeout_s=WAIT_S) is None
    assert slot.latest() is None


def test_a_camera_without_frames_times_out_and_fails_a_press() -> None:
    camera = simulated_camera(bus=EventBus(), fps=30)  # never started: no frame, no still
    slot = CameraPreviewSlot()
    assert CameraPhotographer(camera, slot).photograph(Shutter(), timeout_s=0.3) is None
    pressed = Shutter()
    pressed.take()
    with pytest.raises(PhotoFailed):
        CameraPhotographer(camera, slot).photograph(pressed, timeout_s=0.3)


def test_a_large_picture_is_shrunk_to_fit_the_photo_size() -> None:
    big = np.full((3000, 4000, 3), 128, np.uint8)
    decoded = cv2.imdecode(np.frombuffer(encode_photo(big), np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape[:2] == (1200, 1600)
