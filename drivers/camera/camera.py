"""The camera device: one grab thread, one slot holding the latest frame, status on the bus.

Consumers (document detection, the preview) are slower than the sensor; a queue would grow and
hand them ever older frames. So the grab thread overwrites a single slot and consumers always
get the newest frame, seeing ``Frame.number`` jump over the ones they missed. The thread is the
only user of the source, so stills (which switch the resolution) are done on it by request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, StatusChanged
from drivers.camera.frame import CameraUnavailable, Frame, FrameReady, Image
from drivers.camera.source import FrameSource
from drivers.threads import ServiceThread

FRAMES_SETTLING_AFTER_RESIZE = 2
"""Frames still in flight at the old size (or badly exposed) after a resolution switch."""


@dataclass
class _StillRequest:
    done: threading.Event
    frame: Frame | None = None
    error: str | None = None


class Camera:
    """A ``FrameSource`` behind a grab thread with latest-frame semantics.

    ``fps`` paces sources that do not pace themselves (files, the simulator). After
    ``failures_before_offline`` failed reads the source is closed, the status goes offline and
    it is reopened every ``reconnect_period`` seconds.
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
    ) -> None:
        self.name = device_name
        self.source = source
        self._bus = bus
        self._size = (width, height)
        self._still_size = (still_width or width, still_height or height)
        self._interval = 1.0 / fps if fps > 0 else 0.0
        self._failures_before_offline = failures_before_offline
        self._reconnect_period = reconnect_period
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

    def latest(self, timeout: float = 1.0) -> Frame:
        """The newest frame; waits up to ``timeout`` for the first one."""
        return self.next_frame(after=-1, timeout=timeout)

    def next_frame(self, after: int, timeout: float = 1.0) -> Frame:
        """The newest frame numbered above ``after`` (pass the last one you saw)."""
        with self._slot:
            ready = self._slot.wait_for(
                lambda: self._latest is not None and self._latest.number > after, timeout
            )
            frame = self._latest
        if not ready or frame is None:
            raise CameraUnavailable(self._no_frame(timeout))
        return frame

    def capture_still(self, timeout: float = 5.0) -> Frame:
        """A fresh frame at the still resolution, taken after this call (never a stale one)."""
        request = _StillRequest(threading.Event())
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
        next_due = time.monotonic()
        while not stopping.is_set():
            if not opened:
                opened = self._open(stopping)
                failures = 0
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
