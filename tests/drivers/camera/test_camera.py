"""Camera: the real OpenCV capture path on a generated video file, the simulator's faults,
latest-frame semantics and still capture, all while a consumer watches (a camera nobody
watches rests: tests/drivers/camera/test_idle.py)."""

from __future__ import annotations

import queue
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from common.events import EventBus
from drivers.base import DeviceState, StatusChanged
from drivers.camera import CAMERAS, Camera, CameraUnavailable, FrameReady, SimulatedSource
from drivers.camera.frame import Image

pytestmark = pytest.mark.in_process


def _write_video(path: Path, frames: int, size: tuple[int, int] = (320, 240)) -> None:
    """An MJPG AVI whose frame i is a flat grey of level 20 + 10 i."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25, size)
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), 20 + 10 * i, np.uint8))
    writer.release()


def _statuses(bus: EventBus) -> queue.Queue[DeviceState]:
    states: queue.Queue[DeviceState] = queue.Queue()
    bus.subscribe(StatusChanged, lambda event: states.put(event.status.state))
    return states


def _wait_for(states: queue.Queue[DeviceState], wanted: DeviceState) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if states.get(timeout=10) is wanted:
            return
    raise AssertionError(f"camera never reported {wanted}")


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def simulated(bus: EventBus) -> Iterator[Camera]:
    camera = CAMERAS.create("simulated", width=320, height=240, fps=100, bus=bus)
    with camera, camera.watching():
        yield camera


def test_real_video_file_through_opencv(tmp_path: Path, bus: EventBus) -> None:
    video = tmp_path / "clip.avi"
    _write_video(video, frames=12)
    camera = CAMERAS.create("opencv", source=str(video), fps=200, bus=bus, width=320, height=240)
    levels: list[int] = []
    with camera, camera.watching():
        frame = camera.latest(timeout=10)
        assert (frame.width, frame.height) == (320, 240)
        while len(levels) < 5:
            frame = camera.next_frame(after=frame.number, timeout=10)
            levels.append(round(float(frame.image.mean())))
    # every level is one the file contains (JPEG moves flat greys by a step or two at most)
    assert all(min(abs(level - (20 + 10 * i)) for i in range(12)) <= 3 for level in levels)
    assert camera.status().state is DeviceState.ONLINE


def test_end_of_file_is_reported_offline_then_reopened(tmp_path: Path, bus: EventBus) -> None:
    video = tmp_path / "short.avi"
    _write_video(video, frames=3)
    states = _statuses(bus)
    camera = CAMERAS.create(
        "opencv", source=str(video), fps=200, bus=bus, failures_before_offline=2,
        reconnect_period=0.05,
    )  # fmt: skip
    with camera, camera.watching():
        _wait_for(states, DeviceState.ONLINE)
        _wait_for(states, DeviceState.OFFLINE)
        assert camera.status().last_error == "camera stopped delivering frames"
        _wait_for(states, DeviceState.ONLINE)  # reopened: the file plays again


def test_missing_device_is_offline_and_reads_time_out(tmp_path: Path) -> None:
    camera = CAMERAS.create("opencv", source=str(tmp_path / "nope.avi"), reconnect_period=0.05)
    with camera, pytest.raises(CameraUnavailable, match=r"no frame within 0\.2 s"):
        camera.latest(timeout=0.2)
    assert camera.status().state is DeviceState.OFFLINE
    last_error = camera.status().last_error
    assert last_error is not None and "cannot open" in last_error


def test_latest_frame_skips_instead_of_queueing(simulated: Camera) -> None:
    first = simulated.latest(timeout=5)
    time.sleep(0.3)  # a slow consumer: ~30 frames go by at 100 fps
    newest = simulated.latest(timeout=5)
    assert newest.number - first.number > 1
    again = simulated.next_frame(after=newest.number, timeout=5)
    assert again.number > newest.number
    assert again.image is not newest.image
    with pytest.raises(ValueError, match="read-only"):
        again.image[0, 0, 0] = 1


def test_frames_are_announced_on_the_bus(bus: EventBus) -> None:
    ready: queue.Queue[FrameReady] = queue.Queue()
    bus.subscribe(FrameReady, ready.put)
    camera = CAMERAS.create("simulated", width=64, height=48, fps=100, bus=bus, device_name="doc")
    with camera, camera.watching():
        event = ready.get(timeout=5)
    assert event.device == "doc" and event.frame.image.shape == (48, 64, 3)


def test_black_frame_fault(simulated: Camera) -> None:
    assert not simulated.latest(timeout=5).looks_blank()
    assert isinstance(simulated.source, SimulatedSource)
    simulated.source.black = True
    frame = simulated.latest(timeout=5)
    frame = simulated.next_frame(after=frame.number, timeout=5)
    assert frame.looks_blank()
    assert simulated.status().state is DeviceState.ONLINE  # a dark scene is not a broken camera


def test_empty_frame_fault_is_an_error_then_recovers(simulated: Camera, bus: EventBus) -> None:
    states = _statuses(bus)
    simulated.latest(timeout=5)
    assert isinstance(simulated.source, SimulatedSource)
    simulated.source.empty = True
    _wait_for(states, DeviceState.ERROR)
    assert simulated.status().last_error == "camera delivers empty frames"
    simulated.source.empty = False
    _wait_for(states, DeviceState.ONLINE)


def test_disconnect_fault_goes_offline_and_back(bus: EventBus) -> None:
    states = _statuses(bus)
    source = SimulatedSource()
    camera = Camera(source, bus=bus, fps=100, width=64, height=48, reconnect_period=0.05)
    with camera, camera.watching():
        _wait_for(states, DeviceState.ONLINE)
        source.disconnected = True
        _wait_for(states, DeviceState.OFFLINE)
        with pytest.raises(CameraUnavailable):
            camera.latest(timeout=0.2)  # no stale frame from before the unplug
        source.disconnected = False
        _wait_for(states, DeviceState.ONLINE)
        assert camera.latest(timeout=5).width == 64


def test_still_is_full_resolution_and_fresh(bus: EventBus) -> None:
    camera = CAMERAS.create(
        "simulated", width=640, height=360, still_width=1920, still_height=1080, fps=50, bus=bus
    )
    with camera:
        before = camera.latest(timeout=5)
        still = camera.capture_still(timeout=5)
        after = camera.next_frame(after=still.number, timeout=5)
    assert (still.width, still.height) == (1920, 1080)
    assert still.number > before.number
    assert (after.width, after.height) == (640, 360)


def test_simulated_images_are_served_at_the_configured_size(tmp_path: Path) -> None:
    picture = tmp_path / "page.png"
    cv2.imwrite(str(picture), np.full((100, 200, 3), 200, np.uint8))
    with CAMERAS.create("simulated", files=[str(picture)], width=400, height=200, fps=50) as cam:
        frame = cam.latest(timeout=5)
    assert frame.image.shape == (200, 400, 3)
    assert int(frame.image.mean()) == 200


class _Exploding:
    """A source whose second read raises: the grab thread must report and carry on."""

    paced = False

    def __init__(self) -> None:
        self.reads = 0

    def describe(self) -> str:
        return "exploding"

    def open(self, width: int, height: int) -> None:
        """Nothing to open."""

    def read(self) -> Image | None:
        self.reads += 1
        if self.reads == 2:
            raise RuntimeError("driver bug")
        return np.full((4, 4, 3), 100, np.uint8)

    def set_size(self, width: int, height: int) -> None:
        """Fixed size."""

    def close(self) -> None:
        """Nothing to close."""


def test_a_crashing_source_is_reported_and_the_thread_restarts(bus: EventBus) -> None:
    states = _statuses(bus)
    camera = Camera(_Exploding(), bus=bus, fps=100)
    with camera, camera.watching():
        _wait_for(states, DeviceState.ERROR)
        assert camera.status().last_error == "grab thread failed: driver bug"
        _wait_for(states, DeviceState.ONLINE)


def test_the_configured_frame_rate_reaches_the_camera_and_is_bounded() -> None:
    """``camera.fps`` is the live preview's ceiling: a 30 fps document camera read at the old
    fixed 15 showed half its frames."""
    from pydantic import ValidationError

    from kiosk.config.devices import device_specs
    from kiosk.config.schema import KioskConfig

    def camera_options(section: dict[str, object]) -> dict[str, object]:
        config = KioskConfig.model_validate({"camera": section})
        return next(s for s in device_specs(config) if s.role == "camera").options

    assert camera_options({})["fps"] == 15.0
    assert camera_options({"driver": "opencv", "fps": 30})["fps"] == 30.0
    for wrong in (0, -5, 61):
        with pytest.raises(ValidationError, match="fps"):
            KioskConfig.model_validate({"camera": {"fps": wrong}})


def test_a_simulated_tray_keeps_only_the_photos_it_shows(tmp_path: Path) -> None:
    """A demo's tray sees one photo after another; each decoded still (6 MB at 1920x1080) is
    let go once the tray shows another."""
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    cv2.imwrite(str(first), np.full((48, 64, 3), 200, np.uint8))
    cv2.imwrite(str(second), np.full((48, 64, 3), 90, np.uint8))
    source = SimulatedSource([first])
    source.open(64, 48)
    shown = source.read()
    assert shown is not None and int(shown[0, 0, 0]) == 200
    kept = weakref.ref(shown)
    del shown
    assert kept() is not None  # decoded once, kept while on the tray
    source.files = [second]
    now = source.read()
    assert now is not None and int(now[0, 0, 0]) == 90
    assert kept() is None


def test_a_closed_simulated_camera_holds_no_photo(tmp_path: Path) -> None:
    """A resting camera closes its source: the tray's decoded photo goes with it, and the
    next open shows the same photo again."""
    photo = tmp_path / "page.png"
    cv2.imwrite(str(photo), np.full((48, 64, 3), 200, np.uint8))
    source = SimulatedSource([photo])
    source.open(64, 48)
    shown = source.read()
    assert shown is not None
    kept = weakref.ref(shown)
    del shown
    source.close()
    assert kept() is None
    source.open(64, 48)
    again = source.read()
    assert again is not None and int(again[0, 0, 0]) == 200
