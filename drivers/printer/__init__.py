"""Thermal receipt printers: Receipt documents in, paper out, true status back.

``PRINTERS.create(name, **options)`` builds a ``ThermalPrinter`` from config: ``usb``,
``serial``, ``network``, ``file`` or ``simulated`` (the in-process emulator). Common options:
``profile`` ("58mm"/"80mm"), ``bus``, ``device_name``, ``poll_period``, ``status_timeout``,
``require_status``, ``write_timeout``.

Importing this package loads neither python-escpos nor the imaging stack (numpy, Pillow,
qrcode, python-barcode): the kiosk's core imports printer exceptions and the registry at start,
the renderer loads with the first job. ``drivers.printer.render`` holds ``render`` and
``RenderedReceipt`` for code that wants the bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.base import DeviceKind, Registry
from drivers.printer.driver import PrintResult, ThermalPrinter
from drivers.printer.errors import (
    CoverOpen,
    JobProgress,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterStatusUnknown,
    RenderError,
)
from drivers.printer.profile import PROFILE_58MM, PROFILE_80MM, PrinterProfile, profile_named
from drivers.printer.receipt import Align, Receipt
from drivers.printer.transport import (
    DEFAULT_WRITE_TIMEOUT,
    FileTransport,
    NetworkTransport,
    SerialTransport,
    Transport,
    UsbTransport,
)

if TYPE_CHECKING:
    from drivers.emulator import PrinterEmulator


def _printer(transport: Transport, profile: str, options: dict[str, Any]) -> ThermalPrinter:
    return ThermalPrinter(transport, profile_named(profile), **options)


def network_printer(
    *,
    host: str,
    port: int = 9100,
    profile: str = "80mm",
    write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    **options: Any,
) -> ThermalPrinter:
    return _printer(NetworkTransport(host, port, write_timeout), profile, options)


def serial_printer(
    *,
    device: str,
    baudrate: int = 9600,
    profile: str = "80mm",
    write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    **options: Any,
) -> ThermalPrinter:
    return _printer(SerialTransport(device, baudrate, write_timeout), profile, options)


def usb_printer(
    *,
    vendor_id: int,
    product_id: int,
    in_ep: int = 0x82,
    out_ep: int = 0x01,
    profile: str = "80mm",
    write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    **options: Any,
) -> ThermalPrinter:
    transport = UsbTransport(vendor_id, product_id, in_ep, out_ep, write_timeout)
    return _printer(transport, profile, options)


def file_printer(
    *,
    path: str,
    profile: str = "80mm",
    write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    **options: Any,
) -> ThermalPrinter:
    return _printer(FileTransport(path, write_timeout), profile, options)


def simulated_printer(
    *,
    emulator: PrinterEmulator | None = None,
    out_dir: str | Path | None = None,
    profile: str = "80mm",
    **options: Any,
) -> ThermalPrinter:
    """The emulator in-process; pass ``emulator`` to flip its fault switches from a test."""
    from drivers.emulator import EmulatorTransport, PrinterEmulator

    if emulator is None:
        width = profile_named(profile).width_dots
        emulator = PrinterEmulator(width, Path(out_dir) if out_dir is not None else None)
    return _printer(EmulatorTransport(emulator), profile, options)


PRINTERS: Registry[ThermalPrinter] = Registry(
    DeviceKind.PRINTER,
    {
        "usb": usb_printer,
        "serial": serial_printer,
        "network": network_printer,
        "file": file_printer,
        "simulated": simulated_printer,
    },
)

__all__ = [
    "PRINTERS",
    "PROFILE_58MM",
    "PROFILE_80MM",
    "Align",
    "CoverOpen",
    "JobProgress",
    "PaperOut",
    "PrintResult",
    "PrinterError",
    "PrinterOffline",
    "PrinterProfile",
    "PrinterStatusUnknown",
    "Receipt",
    "RenderError",
    "ThermalPrinter",
    "Transport",
]
