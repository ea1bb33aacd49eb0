"""The whole capture of one still: find the page, flatten, check, clean, encode.

Quality is measured on the flattened page before cleaning (cleaning would hide the very
glare and darkness the checks look for). The result always says what was wrong; the caller
decides whether to keep a page with problems (the CLI refuses unless forced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy.typing as npt

from kiosk.capture.detect import Detection, DetectorConfig, PageDetector
from kiosk.capture.enhance import Mode, enhance
from kiosk.capture.guidance import Code
from kiosk.capture.output import Encoded, Format, encode
from kiosk.capture.quality import Measures, QualityConfig, judge, measure
from kiosk.capture.rectify import Rectified, rectify

Image = npt.NDArray[Any]


@dataclass(frozen=True)
class CaptureConfig:
    mode: Mode = Mode.COLOUR
    format: Format = Format.PDF
    max_bytes: int = 2 * 1024 * 1024  # upload cap
    target_dpi: float = 300.0
    px_per_mm: float | None = None  # the tray camera's scale, when calibrated
    quality: QualityConfig = field(default_factory=QualityConfig)
    detector: DetectorConfig = field(default_factory=DetectorConfig)


@dataclass(frozen=True)
class CaptureResult:
    detection: Detection
    issues: list[Code]  # empty when the page is good
    measures: Measures | None = None
    rectified: Rectified | None = None
    encoded: Encoded | None = None

    @property
    def ok(self) -> bool:
        return not self.issues and self.encoded is not None


def capture(image: Image, config: CaptureConfig | None = None,
            detection: Detection | None = None) -> CaptureResult:
    """Run the pipeline on a still; ``detection`` skips finding the page again."""
    cfg = config or CaptureConfig()
    det = detection or PageDetector(cfg.detector).detect(image)
    if det.quad is None:
        return CaptureResult(det, [Code(str(det.reason))])
    flat = rectify(image, det.quad, target_dpi=cfg.target_dpi, px_per_mm=cfg.px_per_mm)
    measures = measure(flat.image, det.quad, det.frame_size, cfg.quality.border_margin)
    issues = judge(measures, cfg.quality)
    cleaned = enhance(flat.image, cfg.mode)
    encoded = encode(cleaned, flat.dpi, cfg.format, cfg.max_bytes)
    return CaptureResult(det, issues, measures, flat, encoded)
