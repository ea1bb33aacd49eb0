"""The scan step: watch the tray camera, guide the resident, take the page when it is steady.

Every preview frame goes through page detection; the outline and the advice are published as
``ScanGuidance`` events for the screen to draw. When the page has held still for a few frames
a full-resolution still is taken and run through the capture pipeline (flatten, check, clean,
encode). A still that fails a quality check is not kept: the resident is told why and the
watch goes on, so a retake is simply putting the page back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from central.contract.models import LocalizedText
from common.events import Event, EventBus
from drivers.camera import Camera, CameraUnavailable
from kiosk.capture.autocapture import AutoCapture, Phase
from kiosk.capture.detect import PageDetector
from kiosk.capture.guidance import GUIDANCE, Code
from kiosk.capture.output import Format
from kiosk.capture.pipeline import CaptureConfig, capture
from kiosk.capture.preview import PreviewDetector
from kiosk.metrics import NO_METRICS, Metrics
from kiosk.session.flows import ScannedDocument

_CONTENT_TYPES = {Format.PDF: "application/pdf", Format.JPEG: "image/jpeg"}


@dataclass(frozen=True)
class ScanGuidance(Event):
    """One preview frame's verdict. ``quad`` is in preview pixels, clockwise from top-left."""

    phase: str
    guidance: LocalizedText
    progress: float
    quad: tuple[tuple[float, float], ...] | None
    frame_size: tuple[int, int]


def guidance_text(code: Code) -> LocalizedText:
    text = GUIDANCE[code]
    return LocalizedText(id=text["id"], en=text["en"])


class DocumentScanner:
    def __init__(
        self,
        camera: Camera,
        bus: EventBus,
        *,
        config: CaptureConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._camera = camera
        self._bus = bus
        self._config = config or CaptureConfig()
        self._detector = PageDetector(self._config.detector)
        self._clock = clock
        self._metrics = metrics  # told how long the scan waits for camera frames

    def scan(self, timeout_s: float = 60.0) -> ScannedDocument | None:
        """Watch until a good page is captured (returned) or ``timeout_s`` passes (None)."""
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
