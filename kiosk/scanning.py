"""The scan step: watch the tray camera, guide the resident, take the page when it is steady.

Every preview frame goes through page detection; the outline and the advice are published as
``ScanGuidance`` events for the screen to draw. When the page has held still for a few frames
a full-resolution still is taken and run through the capture pipeline (flatten, check, clean,
encode). A still that fails a quality check is not kept: the resident is told why and the
watch goes on, so a retake is simply putting the page back.

The camera's picture goes to a ``CameraPreviewSlot`` (``kiosk.tray``): each frame shrunk to
at most ``PREVIEW_MAX``, the latest one kept. A kiosk runs this in its camera process
(``kiosk.camera_host``), whose slot sends each picture on to the app's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import cv2

from common.events import EventBus
from drivers.camera import Camera, CameraUnavailable, FrameReady
from drivers.camera.frame import Image
from kiosk.capture.autocapture import AutoCapture, Phase
from kiosk.capture.detect import PageDetector
from kiosk.capture.guidance import Code
from kiosk.capture.output import Format
from kiosk.capture.pipeline import CaptureConfig, capture
from kiosk.capture.preview import PreviewDetector
from kiosk.captured import ScannedDocument
from kiosk.metrics import NO_METRICS, Metrics
from kiosk.tray import PREVIEW_MAX, PreviewSlot, ScanGuidance, guidance_text

_CONTENT_TYPES = {Format.PDF: "application/pdf", Format.JPEG: "image/jpeg"}


class CameraPreviewSlot(PreviewSlot):
    """A ``PreviewSlot`` fed with camera frames, which it shrinks for the screen."""

    def put(
        self,
        image: Image,
        max_size: tuple[int, int] = PREVIEW_MAX,
        *,
        generation: int | None = None,
    ) -> None:
        """Shrink the BGR ``image`` to fit ``max_size`` (aspect kept) and make it the latest,
        unless ``generation`` is given and the slot was cleared since."""
        height, width = image.shape[:2]
        scale = min(1.0, max_size[0] / width, max_size[1] / height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if scale < 1 else image
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB).tobytes()
        self.show(rgb, size, (width, height), generation=generation)


class DocumentScanner:
    def __init__(
        self,
        camera: Camera,
        bus: EventBus,
        *,
        config: CaptureConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics = NO_METRICS,
        preview: CameraPreviewSlot | None = None,
    ) -> None:
        self._camera = camera
        self.preview = preview or CameraPreviewSlot()  # the screen shows the tray from here
        self._bus = bus
        self._config = config or CaptureConfig()
        self._detector = PageDetector(self._config.detector)
        self._clock = clock
        self._metrics = metrics  # told how long the scan waits for camera frames

    def scan(self, timeout_s: float = 60.0) -> ScannedDocument | None:
        """Watch until a good page is captured (returned) or ``timeout_s`` passes (None)."""
        stop_showing = self._show_every_frame()
        try:
            with self._camera.watching():  # the camera grabs only while a scan looks
                return self._watch(timeout_s)
        finally:
            stop_showing()
            self.preview.clear()

    def _show_every_frame(self) -> Callable[[], None]:
        """The tray's picture at the camera's rate, not the detector's: each frame is put in
        the preview by the camera's own thread as it arrives (a shrink, about 2 ms), while
        the detector takes the newest frame whenever it is free. On a cluttered tray a
        search takes 40-60 ms on one core; the picture no longer waits for it (the outline
        follows a frame or two behind). Returns what stops it."""
        generation = self.preview.generation
        camera = self._camera.name

        def show(event: FrameReady) -> None:
            if event.device == camera:
                self.preview.put(event.frame.image, generation=generation)

        return self._bus.subscribe(FrameReady, show)

    def _watch(self, timeout_s: float) -> ScannedDocument | None:
        auto = AutoCapture()
        deadline = self._clock() + timeout_s
        last = -1
        preview = PreviewDetector(self._detector)  # reuses work while the tray is still
        while self._clock() < deadline:
            started = time.perf_counter()
            try:
                frame = self._camera.next_frame(after=last, timeout=1.0)
            except CameraUnavailable:
                self._metrics.waited("camera", time.perf_counter() - started)
                self._publish(Phase.SEARCHING, Code.NO_PAGE, 0.0, None, (0, 0))
                continue
            self._metrics.waited("camera", time.perf_counter() - started)
            last = frame.number
            detection = preview.detect(frame.image)
            advice = auto.feed(detection)
            quad = (
                tuple((float(x), float(y)) for x, y in detection.quad)
                if detection.quad is not None
                else None
            )
            self._publish(
                advice.phase, advice.guidance, advice.progress, quad, detection.frame_size
            )
            if advice.phase is not Phase.CAPTURE:
                continue
            document = self._take_still()
            if document is not None:
                return document
            auto.reset()
        return None

    def watch(self, stop: threading.Event) -> None:
        """Show the tray and the detector's outline, taking nothing, until ``stop`` is set
        (the technician's camera check). Not while a scan runs: the kiosk is out of service."""
        preview = PreviewDetector(self._detector)
        auto = AutoCapture()  # the advice a resident would get, without the capture
        last = -1
        stop_showing = self._show_every_frame()
        try:
            with self._camera.watching():
                while not stop.is_set():
                    try:
                        frame = self._camera.next_frame(after=last, timeout=1.0)
                    except CameraUnavailable:
                        self._publish(Phase.SEARCHING, Code.NO_PAGE, 0.0, None, (0, 0))
                        continue
                    last = frame.number
                    detection = preview.detect(frame.image)
                    quad = (
                        tuple((float(x), float(y)) for x, y in detection.quad)
                        if detection.quad is not None
                        else None
                    )
                    advice = auto.feed(detection)
                    if advice.phase is Phase.CAPTURE:
                        auto.reset()
                    self._publish(
                        advice.phase, advice.guidance, advice.progress, quad, detection.frame_size
                    )
        finally:
            stop_showing()
            self.preview.clear()

    def _take_still(self) -> ScannedDocument | None:
        started = time.perf_counter()
        try:
            still = self._camera.capture_still(timeout=5.0)
        except CameraUnavailable:
            return None
        finally:
            self._metrics.waited("camera", time.perf_counter() - started)
        result = capture(still.image, self._config)
        if not result.ok or result.encoded is None:
            problem = result.issues[0] if result.issues else Code.NO_PAGE
            self._publish(Phase.SEARCHING, problem, 0.0, None, result.detection.frame_size)
            return None
        self._publish(Phase.CAPTURED, Code.OK, 1.0, None, result.detection.frame_size)
        return ScannedDocument(result.encoded.data, _CONTENT_TYPES[result.encoded.format])

    def _publish(
        self,
        phase: Phase,
        code: Code,
        progress: float,
        quad: tuple[tuple[float, float], ...] | None,
        frame_size: tuple[int, int],
    ) -> None:
        self._bus.publish(
            ScanGuidance(phase.value, guidance_text(code), progress, quad, frame_size)
        )
