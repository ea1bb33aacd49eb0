"""The document printer's exceptions: one per cause the kiosk tells a resident about.

They extend the receipt printer's ``PrinterError`` family (``progress`` stays ``None``: an A4
job is one document, printed or not), so code that handles "a printer failed" handles both.
"""

from __future__ import annotations

from drivers.printer.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline


class DocumentPrinterError(PrinterError):
    """The letter was not printed (and any job left at the printer was cancelled)."""


class MediaEmpty(DocumentPrinterError, PaperOut):
    """The paper tray is empty (``media-empty`` / ``media-needed``)."""


class MediaJam(DocumentPrinterError):
    """Paper is jammed (``media-jam``)."""


class DoorOpen(DocumentPrinterError, CoverOpen):
    """A door or cover is open (``door-open`` / ``cover-open``)."""


class DocumentPrinterOffline(DocumentPrinterError, PrinterOffline):
    """CUPS or the printer cannot be reached, or the queue is stopped or refuses jobs."""


class JobFailed(DocumentPrinterError):
    """The job ended without completing (cancelled or aborted by CUPS or the printer), or it
    did not finish within the driver's job timeout."""
