"""The configured devices as driver-registry names and factory options.

Its own module, apart from ``kiosk devices``' command, so that assembling a kiosk does not
import what the command needs (the printer emulator, and through it the imaging stack):
``kiosk run`` keeps to what its configuration names (docs/benchmarks.md, `kiosk_run_rss`).
"""

from __future__ import annotations

from typing import Any

from drivers.base import DeviceKind
from drivers.probe import DeviceSpec
from kiosk.config import KioskConfig
from kiosk.config.schema import (
    CameraSection,
    CardReaderSection,
    CodeScannerSection,
    DocumentPrinterSection,
    PrinterSection,
)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".avi", ".mp4", ".mkv"}


def device_specs(config: KioskConfig) -> list[DeviceSpec]:
    """The configured devices as registry names and factory options."""
    specs = [_printer_spec(config.printer), _card_reader_spec(config.card_reader)]
    if config.camera.driver != "none":  # no camera fitted
        specs.insert(1, _camera_spec(config.camera))
    if config.code_scanner.driver != "none":
        specs.append(_scanner_spec(config.code_scanner))
    if config.document_printer.driver != "none":
        specs.append(_document_printer_spec(config.document_printer))
    return specs


def _printer_spec(section: PrinterSection) -> DeviceSpec:
    io_timeout = {"write_timeout": section.timeout_s}
    by_driver: dict[str, dict[str, Any]] = {
        "network": {"host": section.host, "port": section.port, **io_timeout},
        "usb": {
            "vendor_id": section.usb_vendor_id,
            "product_id": section.usb_product_id,
            **io_timeout,
        },
        "serial": {"device": section.serial_port, "baudrate": section.baudrate, **io_timeout},
        "file": {"path": str(section.file_path), **io_timeout},
        "simulated": {},
    }
    options = {
        **by_driver[section.driver],
        "profile": section.profile,
        "poll_period": section.status_poll_s,
    }
    return DeviceSpec("printer", DeviceKind.PRINTER, section.driver, options)


def _camera_spec(section: CameraSection) -> DeviceSpec:
    options: dict[str, Any] = {
        "width": section.width,
        "height": section.height,
        "fps": section.fps,
    }
    if section.driver == "opencv":
        options["source"] = section.device
    elif section.sim_source is not None:
        source = section.sim_source
        if source.is_dir():
            options["files"] = sorted(
                f for f in source.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES
            )
        else:
            options["files"] = [source]
    return DeviceSpec("camera", DeviceKind.CAMERA, section.driver, options)


def _card_reader_spec(section: CardReaderSection) -> DeviceSpec:
    by_driver: dict[str, dict[str, Any]] = {
        "pcsc": {"reader_pattern": section.reader_pattern or "*"},
        "serial": {"path": section.serial_port, "baudrate": section.baudrate},
        "keyboard-wedge": {"max_key_gap": section.wedge_max_key_gap_ms / 1000},
        "simulated": {},
    }
    return DeviceSpec(
        "card_reader", DeviceKind.CARD_READER, section.driver, by_driver[section.driver]
    )


def _scanner_spec(section: CodeScannerSection) -> DeviceSpec:
    serial: dict[str, Any] = {
        "path": section.path,
        "vid": section.vid,
        "pid": section.pid,
        "serial_number": section.serial_number,
        "baudrate": section.baudrate,
    }
    # The simulated scanner has no port to find: the serial options are not its to take.
    options = serial if section.driver == "serial" else {}
    return DeviceSpec("code_scanner", DeviceKind.CODE_SCANNER, section.driver, options)


def _document_printer_spec(section: DocumentPrinterSection) -> DeviceSpec:
    common: dict[str, Any] = {
        "poll_period": section.status_poll_s,
        "job_timeout": section.job_timeout_s,
    }
    ipp: dict[str, Any] = {
        "uri": section.uri,
        "status_uri": section.status_uri,
        "timeout": section.timeout_s,
    }
    options = {**common, **(ipp if section.driver == "ipp" else {})}
    return DeviceSpec("document_printer", DeviceKind.DOCUMENT_PRINTER, section.driver, options)
