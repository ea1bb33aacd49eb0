"""Reading a receipt's QR with the tray camera, for the status check before signing in.

The watch runs on its own thread (never the UI's, never the session's owner, which must stay
free for a card tap): every camera frame goes to the preview slot the status screen shows,
then through OpenCV's ``QRCodeDetector``, every other frame through its ArUco-based
``QRCodeDetectorAruco`` instead (the classic one misses some dense symbols, such as an offline
slip's long reference on 58 mm paper, and the other catches them; alternating keeps one decode
per frame). The first QR that holds a receipt's code ends the
watch and the code is handed to ``on_read``; so is None when ``timeout_s`` passes without one.
A watch stopped from outside (the resident left the screen) hands nothing on. A QR that is
not a receipt's (an advert, an ID card's) is skipped, and nothing read is ever logged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import cv2

from drivers.camera import Camera
from drivers.camera.frame import Image
from kiosk.receipts import tracking_code_from_scan
from kiosk.scanning import CameraPreviewSlot

WATCH_S = 60.0  # as long as a document scan waits for its page


Detector = cv2.QRCodeDetector | cv2.QRCodeDetectorAruco


def decode_receipt_qr(detector: Detector, image: Image) -> str | None:
    """The receipt's code in the QR ``image`` shows, if any (grey is enough, and faster)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    text, _points, _straight = detector.detectAndDecode(grey)
    return tracking_code_from_scan(text) if text else None


class ReceiptQrReader:
    def __init__(
        self,
        camera: Camera,
        preview: CameraPreviewSlot,
        on_read: Callable[[str | None], None],
        *,
        timeout_s: float = WATCH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._camera = camera
        self.preview = preview
        self._on_read = on_read
        self._timeout_s = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._stop: threading.Event | None = None  # the running watch's, until it ends

    @property
    def watching(self) -> bool:
        with self._lock:
            return self._stop is not None and not self._stop.is_set()

    def start(self) -> None:
        """Begin a watch unless one runs; returns at once."""
        with self._lock:
            if self._stop is not None and not self._stop.is_set():
                return
            stop = threading.Event()
            self._stop = stop
        threading.Thread(target=self._watch, args=(stop,), name="receipt-qr", daemon=True).start()

    def stop(self) -> None:
        """End the running watch within a frame's wait; returns at once, hands nothing on."""
        with self._lock:
            if self._stop is not None:
                self._stop.set()

    def _watch(self, stop: threading.Event) -> None:
        detectors: tuple[Detector, Detector] = (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco())
        frames = 0
        deadline = self._clock() + self._timeout_s
        found: str | None = None
        try:
            with self._camera.watching():  # the camera grabs only while this looks
                looking = self._camera.new_frames(
                    lambda: found is None and not stop.is_set() and self._clock() < deadline
                )
                for frame in looking:
                    self.preview.put(frame.image)
                    found = decode_receipt_qr(detectors[frames % 2], frame.image)
                    frames += 1
        finally:
            self.preview.clear()
        with self._lock:
            ended_by_itself = not stop.is_set()
            stop.set()
        if ended_by_itself:
            self._on_read(found)
