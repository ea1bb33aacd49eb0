"""What the app and its camera process say to each other (pickled over their socket pair).

Each request carries a call number the app chose; the child answers it with exactly one of
``Scanned``, ``Photographed``, ``QrRead`` or ``Ended``. Everything else the child sends is
unasked: the camera's status, the scan's guidance and the preview's pictures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drivers.base import DeviceStatus
from kiosk.tray import ScanGuidance


@dataclass(frozen=True)
class Setup:
    """The first message: the camera to open, as the config's device spec names it."""

    driver: str
    options: dict[str, Any]
    log_level: int


# -- the app to the camera process ------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    call: int
    timeout_s: float


@dataclass(frozen=True)
class Watch:
    """The technician's camera check: the tray and the outline, nothing taken, until ``Stop``."""

    call: int


@dataclass(frozen=True)
class Photograph:
    call: int
    timeout_s: float


@dataclass(frozen=True)
class Press:
    """The photo's shutter: ``take`` a photo, or close the viewfinder without one."""

    call: int
    take: bool


@dataclass(frozen=True)
class ReadQr:
    call: int


@dataclass(frozen=True)
class Stop:
    """End a ``Watch`` or a ``ReadQr``."""

    call: int


@dataclass(frozen=True)
class ShowOnTray:
    """The simulated camera's tray (demo and benchmarks only): what it shows from now on."""

    files: tuple[str, ...]


@dataclass(frozen=True)
class Quit:
    """Nothing more: the child ends what runs, closes the camera and exits."""


Request = Scan | Watch | Photograph | ReadQr


# -- the camera process to the app ------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    status: DeviceStatus


@dataclass(frozen=True)
class Guidance:
    event: ScanGuidance


@dataclass(frozen=True)
class Picture:
    """A preview picture, already shrunk: RGB bytes, rows top to bottom."""

    rgb: bytes
    size: tuple[int, int]
    source_size: tuple[int, int]


@dataclass(frozen=True)
class PictureGone:
    """The watch ended: no picture of the tray stays on screen."""


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Scanned:
    call: int
    document: Document | None  # None: no good page within the scan's time


@dataclass(frozen=True)
class Photographed:
    call: int
    document: Document | None  # None: closed without a photo, or timed out
    failure: str | None = None  # the shutter was pressed but no photo came: why


@dataclass(frozen=True)
class QrRead:
    """The QR watch ended by itself: the receipt's code, or None (nothing read in time)."""

    call: int
    code: str | None


@dataclass(frozen=True)
class Ended:
    """A ``Watch`` or a ``ReadQr`` ended by ``Stop``."""

    call: int
