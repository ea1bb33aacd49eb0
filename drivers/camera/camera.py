"""The camera device: one grab thread, one slot holding the latest frame, status on the bus.

Consumers (document detection, the preview) are slower than the sensor; a queue would grow and
hand them ever older frames. So the grab thread overwrites a single slot and consumers always
get the newest frame, seeing ``Frame.number`` jump over the ones they missed. The thread is the
only user of the source, so stills (which switch the resolution) are done on it by request.

The camera grabs only while someone watches. A kiosk spends most of its day on the attract
screen, where nothing looks at the tray; grabbing there anyway cost a tenth of a core with the
simulator and kept frames (two 1080p ones, ~12 MB) alive in the threads' malloc arena. So
consumers hold ``watching()`` (counted under a lock; ``latest``, ``next_frame`` and
``capture_still`` hold one for their own call too, for one-off callers such as ``kiosk
devices``). With no watcher the grab thread drops its latest frame, **closes the source** and
rests. Closing rather than idling an open stream because:

- a V4L2 device left open keeps streaming into its queued buffers (OpenCV's ``VideoCapture``
  keeps a few), so on resume those would hand out pictures from before the resume; a fresh
  open has none, and nothing has to guess how many to throw away;
- a closed device draws no USB bandwidth, and its buffers and OpenCV's converted frame are
  freed (the memory this is for).

While resting the device's health stays true by a **probe every ``idle_probe_period`` seconds**
(60 by default, as often as the heartbeat reads the status: a probe lights a real camera's LED
for a moment, and a light blinking every few seconds in a village office looks like being
filmed): open, read one frame, close. The frame is not published (``Frame.number`` stands
still); the status is what the probe found, as streaming would report it: a frame is
``online``, no open or no frame ``offline``, an empty frame ``error``. An open alone would not
catch a camera that opens but delivers nothing. The first probe runs as the thread starts, so
the state is known at once.

Resuming costs an open and a first read (``bench/drivers_print.py``, 4 Dec 2026, 1920x1080):
7 ms median, 15 ms p95 with the simulator (drawing its pattern), 25 / 35 ms for OpenCV
opening an MJPG file. A V4L2 camera adds its own open and first exposure; that was not
measured (the test machine has no camera). A watcher that arrives during a probe waits for it
to end first. A watcher never gets a frame published before its watch began: the slot is
emptied when the first watcher arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, StatusChanged
from drivers.camera.frame import CameraUnavailable, Frame, FrameReady, Image
from drivers.camera.source import FrameSource
from drivers.threads import ServiceThread

FRAMES_SETTLING_AFTER_RESIZE = 2
"""Frames still in flight at the old size (or badly exposed) after a resolution switch."""

IDLE_PROBE_PERIOD_S = 60.0
"""While nobody watches: seconds between probes (open, one frame, close) of the device."""


@dataclass
class _StillRequest:
    done: threading.Event
    frame: Frame | None = None
    error: str | None = None


class Camera:
    """A ``FrameSource`` behind a grab thread with latest-frame semantics.

    ``fps`` paces sources that do not pace themselves (files, the simulator). After
    ``failures_before_offline`` failed reads the source is closed, the status goes offline and
    it is reopened every ``reconnect_period`` seconds. With nobody watching, the source is
    closed and probed every ``idle_probe_period`` seconds instead (see the module's notes).
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        device_name: str = "camera",
        bus: EventBus | None = None,
        width: int = 1280,
        height: int = 720,
        still_width: int | None = None,
        still_height: int | None = None,
        fps: float = 15.0,
        failures_before_offline: int = 5,
        reconnect_period: float = 1.0,
        idle_probe_period: float = IDLE_PROBE_PERIOD_S,
    ) -> None:
        self.name = device_name
        self.source = source
        self._bus = bus
        self._size = (width, height)
        self._still_size = (still_width or width, still_height or height)
        self._interval = 1.0 / fps if fps > 0 else 0.0
        self._failures_before_offline = failures_before_offline
        self._reconnect_period = reconnect_period
        self._idle_probe_period = idle_probe_period
        self._demand = threading.Condition()  # guards _watchers; wakes the resting thread
        self._watchers = 0
        self._slot = threading.Condition()
        self._latest: Frame | None = None
        self._count = 0
        self._still: _StillRequest | None = None
        self._status = DeviceStatus(DeviceKind.CAMERA)
        self._status_lock = threading.Lock()
        self._thread = ServiceThread(f"camera-{device_name}", self._grab_loop, self._crashed)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stopping.set()
        with self._demand:
            self._demand.notify_all()  # a resting thread waits on this, not on ``stopping``
        self._thread.stop()
        self.source.close()

    def __enter__(self) -> Camera:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def status(self) -> DeviceStatus:
        return self._status

    # -- consumers ----------------------------------------------------------------------------

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Frames are grabbed while at least one ``with camera.watching():`` is open; hold it
        for as long as you read frames (a loop of ``next_frame`` calls, a scan with its still).
        Released however the block ends. The first watcher empties the slot, so no frame from
        before its watch (nor from before a rest) reaches it."""
        with self._demand:
            self._watchers += 1
            first = self._watchers == 1
            self._demand.notify_all()
        if first:
            self._forget_latest()
        try:
            yield
        finally:
            with self._demand:
                self._watchers -= 1

    def latest(self, timeout: float = 1.0) -> Frame:
        """The newest frame; waits up to ``timeout`` for the first one."""
        return self.next_frame(after=-1, timeout=timeout)

    def next_frame(self, after: int, timeout: float = 1.0) -> Frame:
        """The newest frame numbered above ``after`` (pass the last one you saw)."""
        with self.watching(), self._slot:
            ready = self._slot.wait_for(
                lambda: self._latest is not None and self._latest.number > after, timeout
            )
            frame = self._latest
        if not ready or frame is None:
            raise CameraUnavailable(self._no_frame(timeout))
        return frame

    def new_frames(self, keep_going: Callable[[], bool], wait_s: float = 1.0) -> Iterator[Frame]:
        """Each new frame, in order, for as long as ``keep_going()`` holds (asked before each).
        A frame that does not come within ``wait_s`` is waited for again: a camera that stalls
        a moment is no reason to stop, and ``keep_going`` decides when time is up. Hold
        ``watching()`` around the loop, or the camera rests between frames."""
        last = -1
        while keep_going():
            try:
                frame = self.next_frame(after=last, timeout=wait_s)
            except CameraUnavailable:
                continue
            last = frame.number
            yield frame

    def capture_still(self, timeout: float = 5.0) -> Frame:
        """A fresh frame at the still resolution, taken after this call (never a stale one)."""
        request = _StillRequest(threading.Event())
        with self.watching():
            with self._slot:
                self._still = request
            if not request.done.wait(timeout):
                with self._slot:
                    if self._still is request:
                        self._still = None
                raise CameraUnavailable(self._no_frame(timeout))
        if request.frame is None:
            raise CameraUnavailable(request.error or "still capture failed")
        return request.frame

    def _no_frame(self, timeout: float) -> str:
        reason = self._status.last_error or "no frame"
        return f"{self.source.describe()}: no frame within {timeout:.1f} s ({reason})"

    # -- the grab thread ------------------------------------------------------------------------

    def _grab_loop(self, stopping: threading.Event) -> None:
        failures = 0
        opened = False
        resting = False
        image: Image | None = None
        next_due = probe_due = time.monotonic()  # the first probe: the state, known at once
        while not stopping.is_set():
            if not self._watched():
                if not resting:  # the last watcher left: drop the picture, close the device
                    resting = True
                    if opened:
                        probe_due = time.monotonic() + self._idle_probe_period
                    image = None  # this loop's last frame too, or it rests with it (6 MB)
                    self._forget_latest()
                    self.source.close()
                    opened = False
                if not self._rest_until(probe_due, stopping):
                    self._probe()
                    probe_due = time.monotonic() + self._idle_probe_period
                continue
            resting = False
            if not opened:
                opened = self._open(stopping)
                failures = 0
                next_due = time.monotonic()
                continue
            if self._still is not None:
                self._take_still()
            image = self.source.read()
            if image is None or image.size == 0:
                failures += 1
                empty = image is not None
                if failures >= self._failures_before_offline:
                    if empty:
                        self._set_status(DeviceState.ERROR, "camera delivers empty frames")
                    else:
                        self._set_status(DeviceState.OFFLINE, "camera stopped delivering frames")
                        self._forget_latest()
                        self.source.close()
                        opened = False
                stopping.wait(min(0.05, self._reconnect_period))
                continue
            failures = 0
            self._publish(image)
            if self._interval:
                next_due = max(next_due + self._interval, time.monotonic() - self._interval)
                stopping.wait(max(0.0, next_due - time.monotonic()))

    def _watched(self) -> bool:
        with self._demand:
            return self._watchers > 0

    def _rest_until(self, due: float, stopping: threading.Event) -> bool:
        """Sleep until ``due`` unless a watcher comes (or the camera stops): True if woken."""
        with self._demand:
            return self._demand.wait_for(
                lambda: self._watchers > 0 or stopping.is_set(),
                max(0.0, due - time.monotonic()),
            )

    def _probe(self) -> None:
        """The resting camera's health check: open, read one frame (not published), close."""
        try:
            self.source.open(*self._size)
        except CameraUnavailable as err:
            self._set_status(DeviceState.OFFLINE, str(err))
            return
        try:
            image = self.source.read()
        finally:
            self.source.close()
        if image is None:
            self._set_status(DeviceState.OFFLINE, "camera gave no frame when probed")
        elif image.size == 0:
            self._set_status(DeviceState.ERROR, "camera delivers empty frames")
        else:
            self._set_status(DeviceState.ONLINE, None)

    def _open(self, stopping: threading.Event) -> bool:
        try:
            self.source.open(*self._size)
        except CameraUnavailable as err:
            self._set_status(DeviceState.OFFLINE, str(err))
            stopping.wait(self._reconnect_period)
            return False
        return True

    def _publish(self, image: Image) -> Frame:
        image.flags.writeable = False  # shared by every consumer: nobody may draw on it
        with self._slot:
            self._count += 1
            frame = Frame(image, self._count, time.monotonic())
            self._latest = frame
            self._slot.notify_all()
        if self._status.state is not DeviceState.ONLINE:
            self._set_status(DeviceState.ONLINE, None)
        if self._bus is not None:
            self._bus.publish(FrameReady(self.name, frame))
        return frame

    def _forget_latest(self) -> None:
        """A gone camera has no "latest" frame: consumers must not get a stale picture."""
        with self._slot:
            self._latest = None

    def _take_still(self) -> None:
        with self._slot:
            request, self._still = self._still, None
        if request is None:
            return
        resized = self._still_size != self._size
        try:
            if resized:
                self.source.set_size(*self._still_size)
            image = None
            for _ in range(FRAMES_SETTLING_AFTER_RESIZE + 1 if resized else 1):
                image = self.source.read()
            if image is None or image.size == 0:
                request.error = "camera gave no still frame"
            else:
                request.frame = self._publish(image)
        finally:
            if resized:
                self.source.set_size(*self._size)
            request.done.set()

    def _crashed(self, exc: BaseException) -> None:
        self.source.close()
        self._set_status(DeviceState.ERROR, f"grab thread failed: {exc}")

    def _set_status(self, state: DeviceState, error: str | None) -> None:
        with self._status_lock:
            previous = self._status
            self._status = previous.changed(state=state, last_error=error)
            changed = self._status is not previous
        if changed and self._bus is not None:
            self._bus.publish(StatusChanged(self.name, self._status))
