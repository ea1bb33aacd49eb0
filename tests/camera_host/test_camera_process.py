"""The camera in a process of its own (kiosk/camera_host), driven from this one as the app
drives it: a real child process with the simulated camera, its pictures, guidance, statuses
and answers coming back over the socket pair; a child killed mid-scan; the child's end once
nothing uses it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from common.events import EventBus
from drivers.base import DeviceState, StatusChanged
from kiosk.camera_host.client import (
    RETRY_S,
    CameraProcess,
    ChildCommand,
    RemotePhotographer,
    RemoteQrReader,
    RemoteScanner,
)
from kiosk.captured import Shutter
from kiosk.tray import PreviewSlot, ScanGuidance
from tests.journeys.conftest import page_photo

WAIT_S = 30.0
OPTIONS = {"width": 1920, "height": 1080, "fps": 30.0}


def wait_for(condition: Callable[[], object], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.02)


class Seen:
    """What the app's side hears on its bus."""

    def __init__(self, bus: EventBus) -> None:
        self.guidance: list[ScanGuidance] = []
        self.statuses: list[StatusChanged] = []
        bus.subscribe(ScanGuidance, self.guidance.append)
        bus.subscribe(StatusChanged, self.statuses.append)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def seen(bus: EventBus) -> Seen:
    return Seen(bus)


@pytest.fixture
def tray(tmp_path: Path) -> Path:
    return page_photo(tmp_path / "page.jpg", seed=1)


@pytest.fixture
def camera(bus: EventBus, seen: Seen, tray: Path) -> Iterator[CameraProcess]:
    process = CameraProcess(
        "simulated", {**OPTIONS, "files": [str(tray)]}, bus, PreviewSlot(), linger_s=0.5
    )
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_the_first_probe_tells_the_state_and_its_process_ends(
    camera: CameraProcess, seen: Seen
) -> None:
    wait_for(lambda: camera.status().state is DeviceState.ONLINE, "the probe's status")
    assert [event.status.state for event in seen.statuses] == [DeviceState.ONLINE]
    wait_for(lambda: camera.pid is None, "the probe's process ended")


def test_a_scan_comes_back_as_a_document_with_pictures_and_guidance_on_the_way(
    camera: CameraProcess, seen: Seen
) -> None:
    scanner = RemoteScanner(camera)
    pictures: list[tuple[int, int]] = []
    done = threading.Event()

    def look() -> None:  # the screen's clock, reading the slot while the scan runs
        last = 0
        while not done.is_set():
            frame = scanner.preview.latest(last)
            if frame is not None:
                last = frame.number
                pictures.append(frame.source_size)
            time.sleep(0.01)

    looker = threading.Thread(target=look)
    looker.start()
    try:
        document = scanner.scan(timeout_s=WAIT_S)
    finally:
        done.set()
        looker.join()
    assert document is not None and document.content_type == "application/pdf"
    assert document.content.startswith(b"%PDF")
    assert pictures and set(pictures) == {(1920, 1080)}
    phases = [event.phase for event in seen.guidance]
    assert phases[-1] == "captured" and "steadying" in phases
    assert scanner.preview.latest() is None  # the watch ended: nothing of the tray on screen


def test_a_camera_process_killed_mid_scan_ends_the_scan_and_the_next_one_starts_anew(
    camera: CameraProcess, seen: Seen, tmp_path: Path
) -> None:
    camera.show_on_tray((str(tmp_path / "missing.jpg"),))  # nothing to find: the scan waits
    scanner = RemoteScanner(camera)
    answers: list[object] = []
    scanning = threading.Thread(target=lambda: answers.append(scanner.scan(timeout_s=WAIT_S)))
    scanning.start()
    wait_for(lambda: seen.guidance, "the scan under way")
    pid = camera.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    scanning.join(WAIT_S)
    assert answers == [None]
    wait_for(lambda: camera.status().state is DeviceState.ERROR, "the status says so")
    assert "camera process" in (camera.status().last_error or "")
    camera.show_on_tray((str(page_photo(tmp_path / "page.jpg", seed=2)),))
    wait_for(  # a probe soon after the death, not a minute later
        lambda: camera.status().state is DeviceState.ONLINE, "the retry's probe", RETRY_S + 10
    )
    document = scanner.scan(timeout_s=WAIT_S)
    assert document is not None and camera.pid not in (None, pid)
    assert camera.status().state is DeviceState.ONLINE


def test_the_process_ends_once_nothing_uses_it_and_returns_for_the_next_request(
    camera: CameraProcess,
) -> None:
    scanner = RemoteScanner(camera)
    assert scanner.scan(timeout_s=WAIT_S) is not None
    first = camera.pid
    wait_for(lambda: camera.pid is None, "the lingering process ended")
    assert first is not None
    assert scanner.scan(timeout_s=WAIT_S) is not None


def test_a_warmed_process_waits_for_the_press_instead_of_ending_as_a_probe(
    bus: EventBus, tray: Path
) -> None:
    camera = CameraProcess(
        "simulated", {**OPTIONS, "files": [str(tray)]}, bus, PreviewSlot(), linger_s=5.0
    )
    camera.start()
    try:
        wait_for(lambda: camera.status().state is DeviceState.ONLINE, "the probe")
        wait_for(lambda: camera.pid is None, "the probe's process ended")
        camera.warm()  # a scan step on screen
        wait_for(lambda: camera.pid is not None, "the process started")
        warmed = camera.pid
        time.sleep(1.5)  # well past its first status (~0.4 s), within the 5 s linger
        assert camera.pid == warmed
        assert RemoteScanner(camera).scan(timeout_s=WAIT_S) is not None
        assert camera.pid == warmed  # the scan found it running
    finally:
        camera.stop()


def test_a_photo_is_taken_when_the_shutter_is_pressed_and_none_when_closed(
    camera: CameraProcess,
) -> None:
    photographer = RemotePhotographer(camera)
    for take in (True, False):
        shutter = Shutter()

        def press(shutter: Shutter = shutter, take: bool = take) -> None:
            wait_for(lambda: photographer.preview.latest() is not None, "the viewfinder")
            (shutter.take if take else shutter.close)()

        threading.Thread(target=press, daemon=True).start()
        photo = photographer.photograph(shutter, timeout_s=WAIT_S)
        if take:
            assert photo is not None and photo.content_type == "image/jpeg"
            assert photographer.preview.latest() is not None  # the still, kept or retaken
            photographer.put_away()
            assert photographer.preview.latest() is None
        else:
            assert photo is None


def test_the_technicians_check_shows_the_tray_until_stopped(
    camera: CameraProcess, seen: Seen
) -> None:
    scanner = RemoteScanner(camera)
    stop = threading.Event()
    watching = threading.Thread(target=scanner.watch, args=(stop,))
    watching.start()
    wait_for(lambda: scanner.preview.latest() is not None and seen.guidance, "the picture")
    stop.set()
    watching.join(WAIT_S)
    assert not watching.is_alive()
    wait_for(lambda: scanner.preview.latest() is None, "the picture gone")


def test_a_stopped_qr_watch_hands_no_code_on(camera: CameraProcess) -> None:
    read: list[str | None] = []
    reader = RemoteQrReader(camera, on_read=read.append)
    reader.start()
    wait_for(lambda: camera.preview.latest() is not None, "the watch under way")
    reader.stop()
    wait_for(lambda: camera.preview.latest() is None, "the watch ended")
    time.sleep(0.3)
    assert read == []


def test_stopping_the_kiosk_ends_the_process_and_answers_what_was_running(
    bus: EventBus, tmp_path: Path
) -> None:
    camera = CameraProcess(
        "simulated", {**OPTIONS, "files": [str(tmp_path / "missing.jpg")]}, bus, PreviewSlot()
    )
    camera.start()
    scanner = RemoteScanner(camera)
    answers: list[object] = []
    scanning = threading.Thread(target=lambda: answers.append(scanner.scan(timeout_s=WAIT_S)))
    scanning.start()
    wait_for(lambda: camera.pid is not None, "the process")
    pid = camera.pid
    camera.stop()
    scanning.join(WAIT_S)
    assert answers == [None] and camera.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # type: ignore[arg-type]


def test_a_camera_that_cannot_be_set_up_is_an_error_and_a_scan_comes_back_empty(
    bus: EventBus,
) -> None:
    camera = CameraProcess("no-such-camera", {}, bus, PreviewSlot())
    camera.start()
    try:
        assert RemoteScanner(camera).scan(timeout_s=WAIT_S) is None
        wait_for(lambda: camera.status().state is DeviceState.ERROR, "the error")
        assert "exit code 1" in (camera.status().last_error or "")
    finally:
        camera.stop()


def test_the_apps_process_never_imports_opencv_for_a_scan(tray: Path) -> None:
    """The point of the camera process: the app's memory keeps none of OpenCV."""
    script = f"""
import sys
from common.events import EventBus
from kiosk.camera_host.client import CameraProcess, RemoteScanner
from kiosk.tray import PreviewSlot
camera = CameraProcess("simulated", {{**{OPTIONS!r}, "files": [{str(tray)!r}]}}, EventBus(),
                       PreviewSlot())
camera.start()
assert RemoteScanner(camera).scan(timeout_s=30) is not None
camera.stop()
print(sorted(m for m in ("cv2", "numpy") if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "[]"


def test_the_child_runs_the_apps_own_version_even_after_current_is_switched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update points ``current`` at the new version before restarting the app: a camera
    process started in between must run the version the app runs (provisioning/update.py)."""
    import kiosk

    for version in ("1", "2"):
        (tmp_path / "versions" / version / "bin").mkdir(parents=True)
        (tmp_path / "versions" / version / "site" / "kiosk").mkdir(parents=True)
    current = tmp_path / "current"
    current.symlink_to(tmp_path / "versions" / "1")
    monkeypatch.setattr(sys, "prefix", str(current))
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    monkeypatch.setattr(sys, "executable", str(current / "bin" / "python"))
    monkeypatch.setattr(kiosk, "__file__", str(current / "site" / "kiosk" / "__init__.py"))
    command = ChildCommand.of_this_app()
    current.unlink()
    current.symlink_to(tmp_path / "versions" / "2")  # the update's switch
    first = tmp_path / "versions" / "1"
    assert command.argv(7)[0] == str(first / "bin" / "python")
    assert command.environment()["PYTHONPATH"].split(os.pathsep)[0] == str(first / "site")
