"""The camera process: the camera and what reads it, serving the app's requests.

Started by the app (``client.CameraProcess``) as ``python -m kiosk.camera_host.host FD`` with
its end of a socket pair. It builds the camera from the ``Setup`` it is sent first, with the
same classes an in-process kiosk would use (``DocumentScanner``, ``CameraPhotographer``,
``ReceiptQrReader``), and hands their output to the app: the camera's statuses and the
scan's guidance from its own event bus, each preview picture as the preview slot takes it.

The main thread reads requests; each request runs on a thread of its own, as it would have
on the app's threads, and ends with its one answer. A read that fails (the app gone) or a
``Quit`` ends the process, after stopping what runs and closing the camera.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from common.events import EventBus
from drivers.base import StatusChanged, UnknownDriver
from drivers.camera import CAMERAS, Camera, SimulatedSource
from kiosk.camera_host.messages import (
    Document,
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
    Scan,
    Scanned,
    Setup,
    ShowOnTray,
    Status,
    Stop,
    Watch,
)
from kiosk.captured import PhotoFailed, ScannedDocument, Shutter
from kiosk.photo import CameraPhotographer
from kiosk.receipt_qr import ReceiptQrReader
from kiosk.runtime import logs
from kiosk.scanning import CameraPreviewSlot, DocumentScanner
from kiosk.tray import PreviewFrame, ScanGuidance

log = logging.getLogger(__name__)

Send = Callable[[object], None]


class ForwardingPreviewSlot(CameraPreviewSlot):
    """The camera process's preview slot: every picture it keeps, and every clear, is also
    sent to the app's slot, which the screen reads."""

    def __init__(self, send: Send) -> None:
        super().__init__()
        self._send = send

    def show(
        self,
        rgb: bytes,
        size: tuple[int, int],
        source_size: tuple[int, int],
        *,
        generation: int | None = None,
    ) -> PreviewFrame | None:
        frame = super().show(rgb, size, source_size, generation=generation)
        if frame is not None:
            self._send(Picture(rgb, size, source_size))
        return frame

    def clear(self) -> None:
        super().clear()
        self._send(PictureGone())


def _document(scanned: ScannedDocument | None) -> Document | None:
    return None if scanned is None else Document(scanned.content, scanned.content_type)


class CameraHost:
    """One camera and its readers, serving one connection."""

    def __init__(self, connection: Connection, setup: Setup) -> None:
        self._connection = connection
        self._sending = threading.Lock()  # the camera's, the requests' and the main thread
        bus = EventBus()
        self.camera: Camera = CAMERAS.create(setup.driver, bus=bus, **setup.options)
        self.preview = ForwardingPreviewSlot(self.send)
        self.scanner = DocumentScanner(self.camera, bus, preview=self.preview)
        self.photographer = CameraPhotographer(self.camera, self.preview)
        bus.subscribe(StatusChanged, lambda event: self.send(Status(event.status)))
        bus.subscribe(ScanGuidance, lambda event: self.send(Guidance(event)))
        self._lock = threading.Lock()  # guards the running requests' handles below
        self._stops: dict[int, threading.Event] = {}
        self._shutters: dict[int, Shutter] = {}
        self._readers: dict[int, ReceiptQrReader] = {}

    def send(self, message: object) -> None:
        """To the app; a send that fails (the app gone) is dropped: the main thread's read
        fails too and ends the process."""
        try:
            with self._sending:
                self._connection.send(message)
        except OSError:
            pass

    def serve(self) -> None:
        """Requests until ``Quit`` or the app's end closes the connection."""
        self.camera.start()
        try:
            while True:
                try:
                    message = self._connection.recv()
                except (EOFError, OSError):
                    return
                if isinstance(message, Quit):
                    return
                self._handle(message)
        finally:
            self._end_all()
            self.camera.stop()

    def _handle(self, message: object) -> None:
        if isinstance(message, Scan):
            self._run(message.call, lambda: self._scan(message))
        elif isinstance(message, Watch):
            stop = threading.Event()
            with self._lock:
                self._stops[message.call] = stop
            self._run(message.call, lambda: self._watch(message.call, stop))
        elif isinstance(message, Photograph):
            shutter = Shutter()
            with self._lock:
                self._shutters[message.call] = shutter
            self._run(message.call, lambda: self._photograph(message, shutter))
        elif isinstance(message, Press):
            self._press(message)
        elif isinstance(message, ReadQr):
            self._read_qr(message.call)
        elif isinstance(message, Stop):
            self._stop(message.call)
        elif isinstance(message, ShowOnTray):
            self._show_on_tray(message.files)
        else:
            log.warning("unknown request %s ignored", type(message).__name__)

    def _run(self, call: int, work: Callable[[], None]) -> None:
        threading.Thread(target=work, name=f"camera-call-{call}", daemon=True).start()

    def _scan(self, request: Scan) -> None:
        try:
            scanned = self.scanner.scan(request.timeout_s)
        except Exception:  # a driver's or the pipeline's bug: no page, and the app goes on
            log.exception("scan failed")
            scanned = None
        self.send(Scanned(request.call, _document(scanned)))

    def _watch(self, call: int, stop: threading.Event) -> None:
        try:
            self.scanner.watch(stop)
        except Exception:
            log.exception("camera check failed")
        finally:
            with self._lock:
                self._stops.pop(call, None)
            self.send(Ended(call))

    def _photograph(self, request: Photograph, shutter: Shutter) -> None:
        failure = None
        taken = None
        try:
            taken = self.photographer.photograph(shutter, request.timeout_s)
        except PhotoFailed as error:
            failure = str(error)
        except Exception as error:
            log.exception("photo failed")
            failure = type(error).__name__
        finally:
            with self._lock:
                self._shutters.pop(request.call, None)
        self.send(Photographed(request.call, _document(taken), failure))

    def _press(self, press: Press) -> None:
        with self._lock:
            shutter = self._shutters.get(press.call)
        if shutter is None:
            return  # the viewfinder already ended (timed out): its answer is on its way
        if press.take:
            shutter.take()
        else:
            shutter.close()

    def _read_qr(self, call: int) -> None:
        def read(code: str | None) -> None:
            with self._lock:
                self._readers.pop(call, None)
            self.send(QrRead(call, code))

        reader = ReceiptQrReader(self.camera, self.preview, on_read=read)
        with self._lock:
            self._readers[call] = reader
        reader.start()

    def _stop(self, call: int) -> None:
        with self._lock:
            stop = self._stops.get(call)
            reader = self._readers.pop(call, None)
        if stop is not None:
            stop.set()  # the watch's thread answers as it ends
        if reader is not None:
            reader.stop()  # ended by the app: no code is read, the call simply ends
            self.send(Ended(call))

    def _show_on_tray(self, files: tuple[str, ...]) -> None:
        source = self.camera.source
        if isinstance(source, SimulatedSource):
            source.files = [Path(name) for name in files]
        else:
            log.warning("only the simulated camera has a tray to show photos on")

    def _end_all(self) -> None:
        with self._lock:
            stops = list(self._stops.values())
            shutters = list(self._shutters.values())
            readers = list(self._readers.values())
        for stop in stops:
            stop.set()
        for shutter in shutters:
            shutter.close()
        for reader in readers:
            reader.stop()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        sys.stderr.write("usage: python -m kiosk.camera_host.host FD (the kiosk app starts it)\n")
        return 2
    connection = Connection(int(args[0]))
    try:
        setup = connection.recv()
    except (EOFError, OSError):
        return 1
    if not isinstance(setup, Setup):
        return 2
    logs.configure(setup.log_level)
    try:
        host = CameraHost(connection, setup)
    except (UnknownDriver, TypeError, ValueError) as error:  # the config let it through
        log.error("camera %r could not be set up: %s", setup.driver, error)
        return 1
    host.serve()
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
