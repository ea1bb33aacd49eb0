"""A4 document printers: a finished letter (PDF) in, a job followed to its end, true status.

``DOCUMENT_PRINTERS.create(name, **options)`` builds a ``DocumentPrinter`` from config:
``ipp`` (a CUPS queue or an IPP Everywhere printer: ``uri``, optional ``status_uri`` of the
printer itself, ``timeout``) or ``simulated`` (the in-process ``SimulatedIpp``: ``simulator``
to flip its fault switches, or ``out_dir`` for the printed PDFs). Common options: ``bus``,
``device_name``, ``poll_period``, ``follow_period``, ``job_timeout``, ``user``.

IPP is spoken directly (``drivers.documents.ipp``, a small RFC 8010 codec over
``http.client``) rather than through pycups: no C extension to build against libcups, and the
same driver talks to a CUPS queue, a printer, or the simulator (docs/drivers-documents.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drivers.base import DeviceKind, Registry
from drivers.documents.errors import (
    DocumentPrinterError,
    DocumentPrinterOffline,
    DoorOpen,
    JobFailed,
    MediaEmpty,
    MediaJam,
)
from drivers.documents.printer import DocumentPrinter, PrintedJob, is_ready
from drivers.documents.simulated import SIMULATED_URI, Media, SimulatedIpp
from drivers.documents.transport import HttpIpp, IppEndpoint, IppUnreachable


def ipp_document_printer(
    *, uri: str, status_uri: str | None = None, timeout: float = 5.0, **options: Any
) -> DocumentPrinter:
    return DocumentPrinter(HttpIpp(timeout), uri, status_uri=status_uri, **options)


def simulated_document_printer(
    *, simulator: SimulatedIpp | None = None, out_dir: str | Path | None = None, **options: Any
) -> DocumentPrinter:
    """The simulator in-process; pass ``simulator`` to flip its fault switches from a test."""
    if simulator is None:
        simulator = SimulatedIpp(Path(out_dir) if out_dir is not None else None)
    return DocumentPrinter(simulator, SIMULATED_URI, **options)


DOCUMENT_PRINTERS: Registry[DocumentPrinter] = Registry(
    DeviceKind.DOCUMENT_PRINTER,
    {"ipp": ipp_document_printer, "simulated": simulated_document_printer},
)

__all__ = [
    "DOCUMENT_PRINTERS",
    "DocumentPrinter",
    "DocumentPrinterError",
    "DocumentPrinterOffline",
    "DoorOpen",
    "HttpIpp",
    "IppEndpoint",
    "IppUnreachable",
    "JobFailed",
    "Media",
    "MediaEmpty",
    "MediaJam",
    "PrintedJob",
    "SimulatedIpp",
    "is_ready",
]
