"""What hardware is plugged in, and how each configured device is doing right now.

For technicians (``kiosk devices``) and provisioning. Detection is read-only and cheap:
pcscd is asked for its readers, serial ports come from ``serial.tools.list_ports``, cameras
and USB printers from sysfs (no libusb, no claiming of interfaces). Every step has a
deadline, so a hung daemon or device makes the report slower, never stuck.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drivers.base import DeviceKind, DeviceState, DeviceStatus
from drivers.threads import CallWorker

SYS_USB = Path("/sys/bus/usb/devices")
SYS_VIDEO = Path("/sys/class/video4linux")
USB_PRINTER_CLASS = "07"


@dataclass(frozen=True)
class DetectedDevice:
    """One piece of hardware the PC can see. ``kind``: pcsc-reader, serial-port, video,
    usb-printer."""

    kind: str
    path: str
    description: str
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HardwareReport:
    devices: list[DetectedDevice]
    notes: list[str] = field(default_factory=list)
    """Why a category could not be listed (pcscd not running, …)."""


@dataclass(frozen=True)
class DeviceSpec:
    """A configured device: the registry name and the options its factory takes."""

    role: str
    kind: DeviceKind
    driver: str
    options: dict[str, Any] = field(default_factory=dict)


def detect_hardware(timeout: float = 2.0) -> HardwareReport:
    devices: list[DetectedDevice] = []
    notes: list[str] = []
    for lister in (pcsc_readers, serial_ports, video_devices, usb_printers):
        try:
            devices.extend(_with_deadline(lister, timeout))
        except Exception as err:  # noqa: BLE001 - one broken category must not hide the others
            notes.append(f"{lister.__name__.replace('_', ' ')}: {err}")
    return HardwareReport(devices, notes)


def _with_deadline(
    lister: Callable[[], list[DetectedDevice]], timeout: float
) -> list[DetectedDevice]:
    worker = CallWorker(f"probe-{lister.__name__}")
    try:
        return worker.call(lister, timeout)
    finally:
        worker.close(timeout=0.1)


def pcsc_readers() -> list[DetectedDevice]:
    """Readers pcscd knows; raises when pcscd does not answer."""
    from smartcard.System import readers

    return [DetectedDevice("pcsc-reader", str(r), "PC/SC reader") for r in readers()]


def serial_ports() -> list[DetectedDevice]:
    from serial.tools import list_ports

    return [
        DetectedDevice(
            "serial-port",
            port.device,
            port.description,
            port.vid,
            port.pid,
            port.serial_number,
        )
        for port in sorted(list_ports.comports(), key=lambda p: p.device)
    ]


def video_devices() -> list[DetectedDevice]:
    found = []
    for node in sorted(glob.glob("/dev/video*")):
        name_file = SYS_VIDEO / Path(node).name / "name"
        name = name_file.read_text().strip() if name_file.exists() else "video device"
        found.append(DetectedDevice("video", node, name))
    return found


def usb_printers(sys_usb: Path = SYS_USB) -> list[DetectedDevice]:
    """USB devices with a printer-class interface, read from sysfs."""
    found = []
    for interface in sorted(sys_usb.glob("*:*")):
        class_file = interface / "bInterfaceClass"
        if not class_file.exists() or class_file.read_text().strip() != USB_PRINTER_CLASS:
            continue
        device = sys_usb / interface.name.split(":")[0]  # "1-1:1.0" is interface 0 of "1-1"
        name = " ".join(
            _read(device / part) for part in ("manufacturer", "product") if _read(device / part)
        )
        found.append(
            DetectedDevice(
                "usb-printer",
                f"usb:{device.name}",
                name or "USB printer",
                int(_read(device / "idVendor") or "0", 16),
                int(_read(device / "idProduct") or "0", 16),
                _read(device / "serial") or None,
            )
        )
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def probe_status(spec: DeviceSpec, timeout: float = 3.0) -> DeviceStatus:
    """Create the configured device, ask its live status, release it again.

    The driver's own answer when it has one; its error as an ``error`` status when it cannot
    even be created (a bad option, a missing library) — a probe reports, it never raises.
    """
    try:
        if spec.kind is DeviceKind.PRINTER:
            return _printer_status(spec, timeout)
        if spec.kind is DeviceKind.CAMERA:
            return _camera_status(spec, timeout)
        if spec.kind is DeviceKind.DOCUMENT_PRINTER:
            return _document_printer_status(spec, timeout)
        return _threaded_status(spec, timeout)
    except Exception as err:  # noqa: BLE001 - any driver fault is that device's ERROR status
        return DeviceStatus(
            spec.kind, state=DeviceState.ERROR, last_error=f"{type(err).__name__}: {err}"
        )


def _printer_status(spec: DeviceSpec, timeout: float) -> DeviceStatus:
    from drivers.printer import PRINTERS

    options = {"status_timeout": min(1.0, timeout), **spec.options, "poll_period": None}
    printer = PRINTERS.create(spec.driver, **options)
    try:
        return printer.refresh_status()
    finally:
        printer.close()


def _document_printer_status(spec: DeviceSpec, timeout: float) -> DeviceStatus:
    from drivers.documents import DOCUMENT_PRINTERS

    options = {**spec.options, "poll_period": None}
    if spec.driver == "ipp":
        options["timeout"] = min(float(options.get("timeout", timeout)), timeout)
    return DOCUMENT_PRINTERS.create(spec.driver, **options).refresh_status()


def _camera_status(spec: DeviceSpec, timeout: float) -> DeviceStatus:
    from drivers.camera import CAMERAS, CameraUnavailable

    camera = CAMERAS.create(spec.driver, **spec.options)
    with camera:
        try:
            camera.latest(timeout)
        except CameraUnavailable as err:
            status = camera.status()
            if status.state is DeviceState.UNKNOWN:
                return status.changed(last_error=str(err))
        return camera.status()


def _threaded_status(spec: DeviceSpec, timeout: float) -> DeviceStatus:
    """Card readers and code scanners: start, wait for the first definite status, stop."""
    from common.events import EventBus
    from drivers.cards import CARD_READERS
    from drivers.scanner import CODE_SCANNERS

    registry: Any = CARD_READERS if spec.kind is DeviceKind.CARD_READER else CODE_SCANNERS
    device = registry.create(spec.driver, bus=EventBus(), **spec.options)
    device.start()
    try:
        deadline = time.monotonic() + timeout
        status: DeviceStatus = device.status()
        while status.state is DeviceState.UNKNOWN and time.monotonic() < deadline:
            time.sleep(0.05)
            status = device.status()
        return status
    finally:
        device.stop()
