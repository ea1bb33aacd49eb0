"""The app's side of the camera process: one thread that owns the child, and the stand-ins the
session and the technician's screen use in place of the in-process scanner, photographer and
QR reader (see the package's notes)."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import kiosk
from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, StatusReporter
from kiosk.camera_host.messages import (
    Ended,
    Guidance,
    Photograph,
    Photographed,
    Picture,
    PictureGone,
    Press,
    QrRead,
    Quit,
    ReadQr,
    Request,
    Scan,
    Scanned,
    Setup,
    ShowOnTray,
    Status,
    Stop,
    Watch,
)
from kiosk.captured import PhotoFailed, ScannedDocument, Shutter
from kiosk.metrics import NO_METRICS, Metrics
from kiosk.tray import PreviewSlot

log = logging.getLogger(__name__)

LINGER_S = 20.0
"""Seconds the child stays after its last request ended: a letter's next page, a retaken
photo or the technician's next look start at once instead of after a new start (~0.5 s)."""
PROBE_PERIOD_S = 60.0  # as the in-process camera probed while resting (drivers/camera)
RETRY_S = 5.0
"""After a child died: the next probe, doubled at every death in a row up to the period (a
camera whose driver crashes at every open is not restarted every few seconds for ever)."""
START_TIMEOUT_S = 15.0  # a child's first status (imports, camera open, one frame) within this
QUIT_WAIT_S = 1.5  # a child told to quit is killed after this (the kiosk has 5 s to stop)
ANSWER_MARGIN_S = 20.0  # beyond a request's own time: a start, a still, the pipeline
POLL_S = 0.05  # how often a waiting caller looks at its shutter or its stop


class _Warm:
    """The camera will be needed soon: start the child now if none runs."""


@dataclass(frozen=True)
class Lost:
    """A request's answer when its child ended first (crashed, killed, or the kiosk stops)."""

    reason: str


class Call:
    """One request to the camera process, ended once by the owning thread with its answer
    (a message of ``kiosk.camera_host.messages``, or ``Lost``)."""

    def __init__(
        self, number: int, request: Request, on_end: Callable[[object], None] | None
    ) -> None:
        self.number = number
        self.request = request
        self._on_end = on_end
        self._ended = threading.Event()
        self.answer: object = None

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def wait(self, timeout_s: float) -> bool:
        return self._ended.wait(timeout_s)

    def end(self, answer: object) -> None:
        self.answer = answer
        self._ended.set()
        if self._on_end is not None:
            self._on_end(answer)


class _Child:
    """A running camera process and the app's end of its connection."""

    def __init__(self, process: subprocess.Popen[bytes], connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.started_at = time.monotonic()
        self.answered = False  # its first status came: the camera was opened (or not)
        self.probe_only = False  # started for a probe alone: ends once it has answered


class CameraProcess:
    """The camera, run in a child process while something needs it (see the package notes).

    ``request`` and ``tell`` may be called from any thread; everything else about the child
    (starting it, its connection, the requests it runs, when it ends) belongs to this
    object's one thread. ``status`` is the camera's health as last reported."""

    def __init__(
        self,
        driver: str,
        options: dict[str, Any],
        bus: EventBus,
        preview: PreviewSlot,
        *,
        device_name: str = "camera",
        linger_s: float = LINGER_S,
        probe_period_s: float = PROBE_PERIOD_S,
        start_timeout_s: float = START_TIMEOUT_S,
    ) -> None:
        self.driver = driver
        self._options = dict(options)
        self._bus = bus
        self.preview = preview
        self._linger_s = linger_s
        self._probe_period_s = probe_period_s
        self._start_timeout_s = start_timeout_s
        self._lock = threading.Lock()  # guards the queue, the flags and the tray below
        self._outgoing: list[Call | object] = []
        self._stopping = False
        self._status = StatusReporter(bus, device_name, DeviceKind.CAMERA)
        self._tray: tuple[str, ...] | None = None  # the simulated tray's photos, if set
        self._numbers = itertools.count(1)
        self._waker, self._wake_end = socket.socketpair()  # wakes the thread for the queue
        self._waker.setblocking(False)
        self._wake_end.setblocking(False)
        self._pid: int | None = None
        # the owning thread's alone:
        self._child: _Child | None = None
        self._calls: dict[int, Call] = {}
        self._idle_since = time.monotonic()
        self._probe_due = time.monotonic()  # the first probe at once: the state, known early
        self._retry_s = RETRY_S
        self._command = ChildCommand.of_this_app()
        self._thread = threading.Thread(target=self._run, name="camera-process", daemon=True)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = QUIT_WAIT_S + 1.0) -> None:
        """End what runs and the child (each request answered ``Lost``)."""
        with self._lock:
            self._stopping = True
        self._wake()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def status(self) -> DeviceStatus:
        return self._status.current

    @property
    def pid(self) -> int | None:
        """The running child's process id (None between children): for benchmarks."""
        with self._lock:
            return self._pid

    # -- callers ------------------------------------------------------------------------------

    def request(
        self, make: Callable[[int], Request], on_end: Callable[[object], None] | None = None
    ) -> Call:
        """Send the request ``make(number)`` makes, starting the child if none runs; returns
        at once. ``on_end`` runs on this object's thread with the answer."""
        with self._lock:
            number = next(self._numbers)
            call = Call(number, make(number), on_end)
            stopping = self._stopping
            if not stopping:
                self._outgoing.append(call)
        if stopping:
            call.end(Lost("the kiosk is stopping"))
        else:
            self._wake()
        return call

    def tell(self, message: object) -> None:
        """A message for the running child (a shutter's press, a stop); dropped when none runs,
        as then nothing it concerns runs either."""
        with self._lock:
            self._outgoing.append(message)
        self._wake()

    def warm(self) -> None:
        """The camera is about to be needed (a scan or photo step is on screen): start the
        child now, so the resident's press finds it running; it stays ``linger_s`` from now.
        Returns at once."""
        self.tell(_Warm())

    def show_on_tray(self, files: tuple[str, ...]) -> None:
        """The simulated camera's tray (demo, benchmarks): shown from now on, by this child and
        by every later one."""
        with self._lock:
            self._tray = files
        self.tell(ShowOnTray(files))

    @property
    def tray(self) -> tuple[str, ...] | None:
        with self._lock:
            return self._tray

    def _wake(self) -> None:
        # full of wake-ups: it is awake anyway; closed: it has stopped
        with contextlib.suppress(BlockingIOError, OSError):
            self._waker.send(b"\0")

    # -- the owning thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    outgoing, self._outgoing = self._outgoing, []
                    stopping = self._stopping
                if stopping:
                    self._refuse(outgoing)
                    return
                try:
                    for item in outgoing:
                        self._deliver(item)
                    self._keep_or_end_the_child()
                    self._wait_and_receive()
                except Exception:  # a bug here must not leave the camera's callers waiting
                    log.exception("the camera process's messages could not be handled")
                    self._end_child("the camera process was ended after an error", planned=False)
        finally:
            self._end_child("the kiosk is stopping", planned=True)
            with self._lock:
                outgoing, self._outgoing = self._outgoing, []
            self._refuse(outgoing)
            self._waker.close()
            self._wake_end.close()

    @staticmethod
    def _refuse(outgoing: list[Call | object]) -> None:
        """Requests that will not be sent: answered, so nobody waits for them."""
        for item in outgoing:
            if isinstance(item, Call):
                item.end(Lost("the kiosk is stopping"))

    def _deliver(self, item: Call | object) -> None:
        if isinstance(item, Call):
            if self._child is None and not self._start_child():
                item.end(Lost(self.status().last_error or "the camera process did not start"))
                return
            self._wanted()
            self._calls[item.number] = item
            self._send(item.request)
        elif isinstance(item, _Warm):
            if self._child is not None or self._start_child():
                self._wanted()
                self._idle_since = time.monotonic()
        elif self._child is not None:
            self._send(item)

    def _wanted(self) -> None:
        """The running child is wanted for more than a probe."""
        if self._child is not None:
            self._child.probe_only = False

    def _send(self, message: object) -> None:
        if self._child is None:
            return
        try:
            self._child.connection.send(message)
        except OSError:
            self._end_child("the camera process stopped answering", planned=False)

    def _keep_or_end_the_child(self) -> None:
        now = time.monotonic()
        child = self._child
        if child is None:
            if now >= self._probe_due and self._start_child() and self._child is not None:
                self._child.probe_only = True  # it ends once its first status has come
            return
        if not child.answered and now - child.started_at > self._start_timeout_s:
            self._end_child("the camera process did not start in time", planned=False)
        elif child.answered and not self._calls and now - self._idle_since >= self._linger_s:
            self._end_child("the camera process was ended", planned=True)

    def _wait_and_receive(self) -> None:
        waits: list[Any] = [self._wake_end]
        child = self._child
        if child is not None:
            waits.append(child.connection)
        for ready in wait(waits, self._next_timeout()):
            if ready is self._wake_end:
                try:
                    while self._wake_end.recv(4096):
                        pass
                except BlockingIOError:
                    pass  # every wake-up read
            elif child is not None and self._child is child:
                self._receive(child)

    def _next_timeout(self) -> float:
        now = time.monotonic()
        child = self._child
        if child is None:
            return max(0.0, self._probe_due - now)
        if not child.answered:
            return max(0.0, child.started_at + self._start_timeout_s - now)
        if not self._calls:
            return max(0.0, self._idle_since + self._linger_s - now)
        return 1.0

    def _receive(self, child: _Child) -> None:
        """What the child has sent so far (a bounded number, so requests are not held up)."""
        for _ in range(32):
            try:
                if not child.connection.poll():
                    return
                message = child.connection.recv()
            except (EOFError, OSError):
                self._end_child("the camera process ended", planned=False)
                return
            self._handle(message)

    def _handle(self, message: object) -> None:
        if isinstance(message, Picture):
            self.preview.show(message.rgb, message.size, message.source_size)
        elif isinstance(message, PictureGone):
            self.preview.clear()
        elif isinstance(message, Guidance):
            self._bus.publish(message.event)
        elif isinstance(message, Status):
            self._answered()
            self._retry_s = RETRY_S  # a child that reports is not one dying in a row
            self._status.update(state=message.status.state, last_error=message.status.last_error)
        elif isinstance(message, Scanned | Photographed | QrRead | Ended):
            call = self._calls.pop(message.call, None)
            if not self._calls:
                self._idle_since = time.monotonic()
            if call is not None:
                call.end(message)

    def _answered(self) -> None:
        child = self._child
        if child is not None and not child.answered:
            child.answered = True
            self._idle_since = time.monotonic()
            if child.probe_only:  # its work is done: it ends now
                self._idle_since -= self._linger_s

    def _start_child(self) -> bool:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
                self._command.argv(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=self._command.environment(),
            )
        except (OSError, subprocess.SubprocessError) as error:
            ours.close()
            self._probe_due = time.monotonic() + self._probe_period_s
            self._status.update(
                state=DeviceState.ERROR, last_error=f"camera process could not start: {error}"
            )
            return False
        finally:
            theirs.close()
        connection = Connection(ours.detach())
        self._child = _Child(process, connection)
        with self._lock:
            self._pid = process.pid
            tray = self._tray
        options = dict(self._options)
        if tray is not None:
            options["files"] = list(tray)
        self._idle_since = time.monotonic()
        self._send(Setup(self.driver, options, logging.getLogger().getEffectiveLevel()))
        return self._child is not None

    def _end_child(self, reason: str, *, planned: bool) -> None:
        """End the child: told to quit when ``planned`` (killed if it does not), else killed
        at once if it still runs, and the camera's status says ``reason``. Requests it still
        had end ``Lost(reason)``."""
        child, self._child = self._child, None
        if child is None:
            return
        with self._lock:
            self._pid = None
        if planned:
            with contextlib.suppress(OSError):  # gone already: the wait below sees it
                child.connection.send(Quit())
        try:
            child.process.wait(QUIT_WAIT_S if planned else 0.5)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
        child.connection.close()
        calls, self._calls = self._calls, {}
        self._idle_since = time.monotonic()
        self.preview.clear()  # nothing of the tray stays on screen
        for call in calls.values():
            call.end(Lost(reason))
        if planned:
            self._probe_due = time.monotonic() + self._probe_period_s
        else:  # the status should not say "error" a minute longer than it must
            self._probe_due = time.monotonic() + self._retry_s
            self._retry_s = min(self._retry_s * 2, self._probe_period_s)
            code = child.process.returncode
            log.warning("%s (exit code %s)", reason, code)
            self._status.update(state=DeviceState.ERROR, last_error=f"{reason} (exit code {code})")


@dataclass(frozen=True)
class ChildCommand:
    """How to start the camera's process: this app's own interpreter and code, with every
    symlink on the way resolved when the app starts. An update points
    ``/opt/anjungan/current`` at a new version before it restarts the app
    (provisioning/update.py); a child started in between must still run the app's version,
    whose messages it speaks, not the new one."""

    interpreter: str
    code_root: str

    @classmethod
    def of_this_app(cls) -> ChildCommand:
        in_virtualenv = sys.prefix != sys.base_prefix
        interpreter = Path(sys.executable)
        if in_virtualenv:  # the virtualenv's own python, not the base one its link leads to
            interpreter = Path(sys.prefix).resolve() / "bin" / interpreter.name
        return cls(str(interpreter), str(Path(kiosk.__file__).resolve().parent.parent))

    def argv(self, fd: int) -> list[str]:
        return [self.interpreter, "-m", "kiosk.camera_host.host", str(fd)]

    def environment(self) -> dict[str, str]:
        """The app's environment, with the app's code first on the import path (in a
        virtualenv it is there anyway; a checkout runs it in place)."""
        environment = dict(os.environ)
        paths = [self.code_root, *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
        environment["PYTHONPATH"] = os.pathsep.join(paths)
        return environment


# -- the stand-ins ------------------------------------------------------------------------------


class RemoteScanner:
    """``kiosk.scanning.DocumentScanner``'s calls, answered by the camera process."""

    def __init__(self, camera: CameraProcess, *, metrics: Metrics = NO_METRICS) -> None:
        self._camera = camera
        self.preview = camera.preview  # the screen shows the tray from here
        self._metrics = metrics  # told how long each scan waited for the camera process

    def scan(self, timeout_s: float = 60.0) -> ScannedDocument | None:
        """A checked, flattened page, or None when none came in ``timeout_s`` (or the camera
        process ended: its status says why)."""
        started = time.perf_counter()
        call = self._camera.request(lambda number: Scan(number, timeout_s))
        try:
            if not call.wait(timeout_s + ANSWER_MARGIN_S):
                log.warning("the camera process did not answer a scan")
                return None
        finally:
            self._metrics.waited("camera", time.perf_counter() - started)
        answer = call.answer
        if isinstance(answer, Lost):
            log.warning("scan ended without a page: %s", answer.reason)
        if isinstance(answer, Scanned) and answer.document is not None:
            return ScannedDocument(answer.document.content, answer.document.content_type)
        return None

    def prepare(self) -> None:
        """A document step is on screen: the camera's process starts now, not at the press."""
        self._camera.warm()

    def watch(self, stop: threading.Event) -> None:
        """The tray and the detector's outline on the screen, nothing taken, until ``stop``
        is set (the technician's camera check)."""
        call = self._camera.request(Watch)
        while not stop.wait(POLL_S):
            if call.ended:
                return
        self._camera.tell(Stop(call.number))
        call.wait(QUIT_WAIT_S)


class RemotePhotographer:
    """``kiosk.photo.CameraPhotographer``'s calls, answered by the camera process."""

    def __init__(self, camera: CameraProcess) -> None:
        self._camera = camera
        self.preview = camera.preview

    def prepare(self) -> None:
        """The photo step is on screen: the camera's process starts now, not at the press."""
        self._camera.warm()

    def photograph(self, shutter: Shutter, timeout_s: float = 60.0) -> ScannedDocument | None:
        """As ``CameraPhotographer.photograph``: the resident's press is passed on as it
        comes; raises ``PhotoFailed`` when it was pressed to take one and none came."""
        call = self._camera.request(lambda number: Photograph(number, timeout_s))
        deadline = time.monotonic() + timeout_s + ANSWER_MARGIN_S
        told = False
        while not call.ended:
            if told:
                call.wait(POLL_S)
            elif shutter.wait(POLL_S):
                self._camera.tell(Press(call.number, shutter.taking))
                told = True
            if time.monotonic() > deadline:
                self._camera.tell(Press(call.number, False))
                raise PhotoFailed("the camera process did not answer")
        answer = call.answer
        if isinstance(answer, Photographed):
            if answer.failure is not None:
                raise PhotoFailed(answer.failure)
            if answer.document is None:
                return None
            return ScannedDocument(answer.document.content, answer.document.content_type)
        if shutter.taking:
            raise PhotoFailed(answer.reason if isinstance(answer, Lost) else "no answer")
        return None

    def put_away(self) -> None:
        self.preview.clear()


class RemoteQrReader:
    """``kiosk.receipt_qr.ReceiptQrReader``'s calls, answered by the camera process: both
    return at once; a code read (or none, in time) goes to ``on_read``. Called from the
    session's owner thread."""

    def __init__(self, camera: CameraProcess, on_read: Callable[[str | None], None]) -> None:
        self._camera = camera
        self._on_read = on_read
        self._call: Call | None = None

    def start(self) -> None:
        """Begin a watch unless one runs."""
        if self._call is not None and not self._call.ended:
            return
        self._call = self._camera.request(ReadQr, on_end=self._ended)

    def stop(self) -> None:
        """End the running watch; no code is handed on."""
        call = self._call
        if call is not None and not call.ended:
            self._camera.tell(Stop(call.number))

    def _ended(self, answer: object) -> None:
        if isinstance(answer, QrRead):
            self._on_read(answer.code)
        elif isinstance(answer, Lost):
            self._on_read(None)  # the watch ended without a code: the screen stops waiting
