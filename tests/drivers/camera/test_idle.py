"""A camera nobody watches rests: no frames grabbed, the device closed, its health still told
by a probe; watching again gives fresh frames only; overlapping watchers keep it grabbing
until the last one leaves, however it leaves."""

from __future__ import annotations

import queue
import struct
import threading
import time
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

from common.events import EventBus
from drivers.base import DeviceState, StatusChanged
from drivers.camera import Camera, CameraUnavailable, FrameReady, SimulatedSource
from drivers.camera.frame import Image

pytestmark = pytest.mark.in_process

SETTLE_S = 0.2  # the grab thread sees a watcher leave within one frame (10 ms at 100 fps)


class CountingSource(SimulatedSource):
    """The simulator's moving pattern, counting what the grab thread does with the device."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.opens = 0
        self.is_open = False

    def open(self, width: int, height: int) -> None:
        super().open(width, height)
        self.opens += 1
        self.is_open = True

    def read(self) -> Image | None:
        self.reads += 1
        return super().read()

    def close(self) -> None:
        super().close()
        self.is_open = False


class QueuedSource:
    """What a V4L2 camera does while open: the sensor fills a few buffers on its own at its
    frame rate and a read hands out the oldest one not yet read; with every buffer full, new
    frames are dropped (so a stream left open while nobody reads holds old pictures). Each
    image carries the monotonic time it was "exposed" in its first eight bytes."""

    paced = True
    BUFFERS = 4

    def __init__(self, fps: float = 50.0) -> None:
        self._period = 1.0 / fps
        self._opened_at: float | None = None
        self._taken = 0  # frames handed out since the open

    def describe(self) -> str:
        return "queued"

    def open(self, width: int, height: int) -> None:
        self._opened_at = time.monotonic()
        self._taken = 0

    def read(self) -> Image | None:
        if self._opened_at is None:
            return None
        exposed = self._opened_at + self._taken * self._period  # the oldest queued buffer
        while time.monotonic() < exposed:  # nothing queued yet: wait for the sensor
            time.sleep(self._period / 4)
        if self._taken >= self.BUFFERS:  # the buffers refilled after a read are newer
            exposed = max(exposed, time.monotonic() - (self.BUFFERS - 1) * self._period)
        self._taken += 1
        image = np.zeros((4, 4, 3), np.uint8)
        image.reshape(-1)[:8] = np.frombuffer(struct.pack("d", exposed), np.uint8)
        return image

    def set_size(self, width: int, height: int) -> None:
        """Fixed size."""

    def close(self) -> None:
        self._opened_at = None


def exposed_at(image: Image) -> float:
    return float(struct.unpack("d", image.reshape(-1)[:8].tobytes())[0])


def wait_for(condition: object, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.01)


def grabbing(source: CountingSource, within: float = 0.3) -> bool:
    """True when the grab thread reads from the device over ``within`` seconds."""
    before = source.reads
    time.sleep(within)
    return source.reads > before


@pytest.fixture
def source() -> CountingSource:
    return CountingSource()


@pytest.fixture
def announced() -> list[FrameReady]:
    return []


@pytest.fixture
def camera(source: CountingSource, announced: list[FrameReady]) -> Iterator[Camera]:
    """At 100 fps, probing every minute: in a test, a resting camera reads nothing."""
    bus = EventBus()
    bus.subscribe(FrameReady, announced.append)
    with Camera(source, bus=bus, width=64, height=48, fps=100, idle_probe_period=60) as running:
        wait_for(lambda: running.status().state is DeviceState.ONLINE, "the first probe")
        yield running


def test_nothing_is_grabbed_while_nobody_watches(
    camera: Camera, source: CountingSource, announced: list[FrameReady]
) -> None:
    assert source.reads == 1 and source.opens == 1  # the start-up probe, and nothing since
    assert not source.is_open and announced == []  # the probe's frame is not published
    assert not grabbing(source)
    with camera.watching():
        first = camera.latest(timeout=5)
        camera.next_frame(after=first.number, timeout=5)
        assert grabbing(source, within=0.1)
    time.sleep(SETTLE_S)  # the thread publishes at most the frame it was reading, then rests
    newest = announced[-1].frame.number
    assert newest == len(announced)
    assert not source.is_open  # closed: no buffers queue up, no stale picture, no USB traffic
    assert not grabbing(source, within=0.5)
    assert len(announced) == newest  # nothing published while resting
    resumed = time.monotonic()
    with camera.watching():
        again = camera.latest(timeout=5)
    assert again.number == newest + 1  # the frame counter stood still while resting
    assert again.captured_at >= resumed
    assert camera.status().state is DeviceState.ONLINE  # resting is not offline


def test_a_resting_camera_keeps_no_frame_alive(source: CountingSource) -> None:
    """Nothing of the last frame outlives the watch: not the slot, not the grab loop's own
    variables (a resting kiosk kept a 6 MB 1080p frame that way)."""
    with Camera(source, width=64, height=48, fps=100, idle_probe_period=60) as camera:
        with camera.watching():
            camera.latest(timeout=5)
            time.sleep(0.1)  # more frames: the loop's variables move on to the newest
            last = weakref.ref(camera.latest(timeout=5).image)
        wait_for(lambda: last() is None, "the last frame let go", timeout=2)


def test_a_resumed_watch_never_gets_a_picture_taken_before_it() -> None:
    """The V4L2 case: a stream left open while nobody reads keeps its oldest buffers; the
    resting camera closed it, so the first frame after a resume was exposed after it."""
    with Camera(QueuedSource(), fps=0, idle_probe_period=60) as camera:
        with camera.watching():
            camera.latest(timeout=5)
        time.sleep(0.5)  # ~25 frames' time at 50 fps: an open stream would hold 4 old ones
        resumed = time.monotonic()
        with camera.watching():
            first = camera.latest(timeout=5)
            second = camera.next_frame(after=first.number, timeout=5)
        assert exposed_at(first.image) >= resumed - 0.001
        assert first.captured_at >= resumed and second.number > first.number
        elapsed = first.captured_at - resumed
        assert elapsed < 1.0, f"first frame {elapsed * 1000:.0f} ms after the resume"


def test_overlapping_watchers_keep_it_grabbing_until_both_leave(
    camera: Camera, source: CountingSource
) -> None:
    first = camera.watching()
    second = camera.watching()
    first.__enter__()
    second.__enter__()
    frame = camera.latest(timeout=5)
    first.__exit__(None, None, None)
    assert grabbing(source)  # the second watcher still looks
    assert camera.next_frame(after=frame.number, timeout=5).number > frame.number
    second.__exit__(None, None, None)
    time.sleep(SETTLE_S)
    assert not grabbing(source)


def test_a_watcher_leaving_on_an_exception_releases_the_camera(
    camera: Camera, source: CountingSource
) -> None:
    with pytest.raises(RuntimeError, match="detector broke"), camera.watching():
        camera.latest(timeout=5)
        raise RuntimeError("detector broke")
    time.sleep(SETTLE_S)
    assert not grabbing(source)


def test_watchers_on_other_threads_are_counted_under_a_lock(
    camera: Camera, source: CountingSource
) -> None:
    def watch_briefly() -> None:
        for _ in range(50):
            with camera.watching():
                pass

    threads = [threading.Thread(target=watch_briefly) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(SETTLE_S)
    assert not grabbing(source)  # every enter met its exit: the count is back at zero


def _states(bus: EventBus) -> queue.Queue[tuple[float, DeviceState]]:
    states: queue.Queue[tuple[float, DeviceState]] = queue.Queue()
    bus.subscribe(StatusChanged, lambda e: states.put((time.monotonic(), e.status.state)))
    return states


def _next_state(states: queue.Queue[tuple[float, DeviceState]], wanted: DeviceState) -> float:
    while True:
        at, state = states.get(timeout=5)
        if state is wanted:
            return at


def test_the_resting_status_is_true_within_the_probe_period() -> None:
    bus = EventBus()
    states = _states(bus)
    source = CountingSource()
    period = 0.3
    with Camera(source, bus=bus, width=64, height=48, fps=100, idle_probe_period=period):
        _next_state(states, DeviceState.ONLINE)
        unplugged = time.monotonic()
        source.disconnected = True
        assert _next_state(states, DeviceState.OFFLINE) - unplugged <= period + 0.3
        plugged = time.monotonic()
        source.disconnected = False
        assert _next_state(states, DeviceState.ONLINE) - plugged <= period + 0.3
        source.empty = True
        _next_state(states, DeviceState.ERROR)
        source.empty = False
        _next_state(states, DeviceState.ONLINE)
        reads, opens = source.reads, source.opens
        time.sleep(period * 3.5)
    assert opens + 2 <= source.opens <= opens + 4  # a probe every period: open, one frame
    assert source.reads - reads == source.opens - opens
    assert not source.is_open


def test_a_camera_unplugged_while_resting_is_offline_for_its_next_watcher() -> None:
    source = CountingSource()
    with Camera(source, width=64, height=48, fps=100, idle_probe_period=0.1) as camera:
        wait_for(lambda: camera.status().state is DeviceState.ONLINE, "online")
        source.disconnected = True
        wait_for(lambda: camera.status().state is DeviceState.OFFLINE, "offline while resting")
        with pytest.raises(CameraUnavailable, match="unplugged"), camera.watching():
            camera.latest(timeout=0.3)
        source.disconnected = False
        with camera.watching():
            assert camera.latest(timeout=5).width == 64



def test_new_frames_gives_each_new_frame_in_order_until_told_to_stop() -> None:
    source = QueuedSource()
    with Camera(source, width=64, height=48, fps=100) as camera, camera.watching():
        taken: list[int] = []
        for frame in camera.new_frames(lambda: len(taken) < 5, wait_s=1.0):
            taken.append(frame.number)
    assert len(taken) == 5
    assert taken == sorted(set(taken))  # each frame once, never an older one after a newer
