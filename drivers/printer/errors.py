"""The printer's exceptions. Each carries how far the job got, so the kiosk can say
"printing stopped, please reload paper" and reprint the whole receipt afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.base import DeviceError


@dataclass(frozen=True)
class JobProgress:
    """``blocks_confirmed`` were followed by a good status reply; ``bytes_sent`` left the PC."""

    blocks_total: int
    blocks_sent: int = 0
    blocks_confirmed: int = 0
    bytes_sent: int = 0

    def __str__(self) -> str:
        return (
            f"{self.blocks_sent}/{self.blocks_total} blocks sent, "
            f"{self.blocks_confirmed} confirmed, {self.bytes_sent} bytes"
        )


class PrinterError(DeviceError):
    """A print job did not complete; ``progress`` is None when it never started."""

    def __init__(self, message: str, progress: JobProgress | None = None) -> None:
        super().__init__(message if progress is None else f"{message} ({progress})")
        self.progress = progress


class PrinterOffline(PrinterError):
    """The printer cannot be reached, or says it is offline."""


class PaperOut(PrinterError):
    """The paper roll is empty (before the job, or mid-way)."""


class CoverOpen(PrinterError):
    """The paper cover is open; nothing is sent until it is closed."""


class PrinterStatusUnknown(PrinterError):
    """The printer did not answer status queries and the driver was told to insist on them."""


class RenderError(ValueError):
    """The receipt cannot be printed on this profile (e.g. a barcode wider than the paper).

    Lives here rather than beside the renderer so that catching it does not load the imaging
    stack (numpy, Pillow, qrcode, python-barcode).
    """
