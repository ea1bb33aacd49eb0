"""The scan's preview frames: shrunk, latest only, and gone when the watch ends."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from common.events import EventBus
from drivers.camera import Camera, simulated_camera
from drivers.camera.frame import Image
from kiosk.capture.detect import Detection
from kiosk.scanning import CameraPreviewSlot, DocumentScanner
from kiosk.tray import PREVIEW_MAX, ScanGuidance
from tests.journeys.conftest import page_photo


def test_a_frame_is_shrunk_to_fit_keeping_its_aspect_and_its_colours_as_rgb() -> None:
    slot = CameraPreviewSlot()
    image = np.zeros((1080, 1920, 3), np.uint8)
    image[:, :, 0] = 200  # blue in OpenCV's BGR
    slot.put(image)
    frame = slot.latest()
    assert frame is not None
    assert frame.size == PREVIEW_MAX and frame.source_size == (1920, 1080)
    pixels = np.frombuffer(frame.rgb, np.uint8).reshape(360, 640, 3)
    assert tuple(pixels[10, 10]) == (0, 0, 200)  # blue is last in RGB


def test_a_small_frame_is_kept_at_its_size() -> None:
    slot = CameraPreviewSlot()
    slot.put(np.zeros((120, 160, 3), np.uint8))
    frame = slot.latest()
    assert frame is not None and frame.size == (160, 120)


def test_only_the_latest_frame_is_kept_and_a_reader_sees_each_new_one_once() -> None:
    slot = CameraPreviewSlot()
    assert slot.latest() is None
    for level in (10, 20, 30):
        slot.put(np.full((90, 160, 3), level, np.uint8))
    frame = slot.latest()
    assert frame is not None and frame.number == 3 and frame.rgb[0] == 30
    assert slot.latest(after=frame.number) is None
    slot.clear()
    assert slot.latest() is None


def test_a_reader_on_another_thread_never_sees_a_torn_frame() -> None:
    slot = CameraPreviewSlot()
    stop = threading.Event()
    torn: list[int] = []

    def read() -> None:
        while not stop.is_set():
            frame = slot.latest()
            if frame is not None and len(set(frame.rgb)) != 1:
                torn.append(frame.number)

    reader = threading.Thread(target=read)
    reader.start()
    for n in range(300):
        slot.put(np.full((90, 160, 3), n % 256, np.uint8))
    stop.set()
    reader.join()
    assert torn == []


def _page_on_the_tray(tmp_path: Path) -> tuple[EventBus, Camera, DocumentScanner]:
    """A simulated 30 fps camera looking at a page, and a scanner reading it."""
    bus = EventBus()
    photo = page_photo(tmp_path / "page.jpg", seed=1)
    camera = simulated_camera(files=[photo], bus=bus, fps=30, width=1920, height=1080)
    return bus, camera, DocumentScanner(camera, bus)


def test_the_scanner_publishes_the_tray_while_it_watches_and_clears_it_after(
    tmp_path: Path,
) -> None:
    bus, camera, scanner = _page_on_the_tray(tmp_path)
    seen: list[int] = []

    def on_guidance(_event: ScanGuidance) -> None:
        frame = scanner.preview.latest()
        if frame is not None:
            seen.append(frame.number)

    bus.subscribe(ScanGuidance, on_guidance)
    with camera:
        document = scanner.scan(timeout_s=30)
    assert document is not None
    assert len(seen) >= 2 and seen == sorted(seen)  # a frame for each guidance, in order
    assert scanner.preview.latest() is None  # nothing of the tray once the watch is over


def test_the_technicians_watch_shows_the_tray_and_outline_until_stopped(tmp_path: Path) -> None:
    bus, camera, scanner = _page_on_the_tray(tmp_path)
    stop = threading.Event()
    outlined: list[ScanGuidance] = []

    def on_guidance(event: ScanGuidance) -> None:
        assert event.phase != "captured"  # the watch never takes a page
        if event.quad is not None:
            outlined.append(event)
        if len(outlined) >= 8:  # more than auto-capture needs: it was reset, not taken
            stop.set()

    bus.subscribe(ScanGuidance, on_guidance)
    with camera:
        watching = threading.Thread(target=scanner.watch, args=(stop,))
        watching.start()
        watching.join(30)
    assert not watching.is_alive() and len(outlined) >= 8
    assert scanner.preview.latest() is None


def test_a_frame_still_on_its_way_when_the_watch_ends_is_not_shown() -> None:
    slot = CameraPreviewSlot()
    watching = slot.generation
    slot.put(np.zeros((90, 160, 3), np.uint8), generation=watching)
    assert slot.latest() is not None
    slot.clear()  # the watch ended while the camera's thread was shrinking one more frame
    slot.put(np.zeros((90, 160, 3), np.uint8), generation=watching)
    assert slot.latest() is None
    slot.put(np.zeros((90, 160, 3), np.uint8), generation=slot.generation)  # the next watch
    assert slot.latest() is not None


def test_the_tray_is_shown_at_the_cameras_rate_while_the_detector_is_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detection on a cluttered tray takes 40-60 ms on one core; the picture must not wait
    for it. A detector slowed to 3 frames a second, a camera at 30: the preview keeps up
    with the camera (its frames are put by the camera's thread)."""
    import kiosk.scanning
    from kiosk.capture.preview import PreviewDetector

    class SlowDetector(PreviewDetector):
        def detect(self, frame: Image) -> Detection:
            time.sleep(0.3)
            return super().detect(frame)

    monkeypatch.setattr(kiosk.scanning, "PreviewDetector", SlowDetector)
    bus, camera, scanner = _page_on_the_tray(tmp_path)
    stop = threading.Event()
    verdicts: list[ScanGuidance] = []
    bus.subscribe(ScanGuidance, verdicts.append)
    with camera:
        watching = threading.Thread(target=scanner.watch, args=(stop,))
        watching.start()
        time.sleep(0.3)  # the first frames in
        first = scanner.preview.latest()
        started_with = len(verdicts)
        time.sleep(2.0)
        last = scanner.preview.latest()
        judged = len(verdicts) - started_with
        stop.set()
        watching.join(10)
    assert first is not None and last is not None
    shown = last.number - first.number
    assert judged <= 8  # the detector's own pace: about 3 a second
    assert shown >= 2 * judged + 6, (shown, judged)  # the picture went at the camera's
