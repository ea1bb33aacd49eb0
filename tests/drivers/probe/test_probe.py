"""Hardware detection and live status probes, against real parts where they run here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import DeviceKind, DeviceState, DeviceTimeout, Supply
from drivers.emulator import PaperState, PrinterEmulator, TcpPrinterServer
from drivers.probe import (
    DetectedDevice,
    DeviceSpec,
    HardwareReport,
    _with_deadline,
    detect_hardware,
    probe_status,
    usb_printers,
)


@pytest.fixture
def tcp_printer() -> Iterator[tuple[PrinterEmulator, TcpPrinterServer]]:
    emulator = PrinterEmulator()
    with TcpPrinterServer(emulator, port=0) as server:
        yield emulator, server


def test_network_printer_live_status(tcp_printer: tuple[PrinterEmulator, TcpPrinterServer]) -> None:
    emulator, server = tcp_printer
    emulator.set_paper(PaperState.NEAR_END)
    spec = DeviceSpec(
        "printer", DeviceKind.PRINTER, "network", {"host": "127.0.0.1", "port": server.port}
    )
    status = probe_status(spec)
    assert (status.state, status.supply) == (DeviceState.ONLINE, Supply.LOW)


def test_simulated_devices_are_online() -> None:
    for kind in (DeviceKind.PRINTER, DeviceKind.CAMERA, DeviceKind.CARD_READER):
        options = {"width": 64, "height": 48} if kind is DeviceKind.CAMERA else {}
        assert (
            probe_status(DeviceSpec(kind.value, kind, "simulated", options)).state
            is DeviceState.ONLINE
        )


def test_missing_camera_is_offline(tmp_path: Path) -> None:
    spec = DeviceSpec("camera", DeviceKind.CAMERA, "opencv", {"source": str(tmp_path / "none.avi")})
    status = probe_status(spec, timeout=0.5)
    assert status.state is DeviceState.OFFLINE
    assert status.last_error is not None and "cannot open" in status.last_error


def test_a_bad_spec_is_reported_not_raised() -> None:
    status = probe_status(DeviceSpec("printer", DeviceKind.PRINTER, "carrier-pigeon"))
    assert status.state is DeviceState.ERROR
    assert status.last_error is not None and "choose one of" in status.last_error


def test_detection_always_returns_a_report() -> None:
    report = detect_hardware(timeout=3.0)
    assert isinstance(report, HardwareReport)
    assert all(
        d.kind in {"pcsc-reader", "serial-port", "video", "usb-printer"} for d in report.devices
    )


def test_a_hung_lister_hits_its_deadline() -> None:
    release = threading.Event()

    def hang() -> list[DetectedDevice]:
        release.wait(5)
        return []

    try:
        with pytest.raises(DeviceTimeout):
            _with_deadline(hang, timeout=0.1)
    finally:
        release.set()


def test_usb_printers_from_sysfs(tmp_path: Path) -> None:
    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")

    device, interface = tmp_path / "1-2", tmp_path / "1-2:1.0"
    write(device / "idVendor", "0416")
    write(device / "idProduct", "5011")
    write(device / "manufacturer", "Winbond")
    write(device / "product", "POS58 Printer")
    write(interface / "bInterfaceClass", "07")
    write(tmp_path / "1-3:1.0" / "bInterfaceClass", "03")  # a keyboard: not a printer
    (found,) = usb_printers(tmp_path)
    assert (found.kind, found.path, found.description) == (
        "usb-printer",
        "usb:1-2",
        "Winbond POS58 Printer",
    )
    assert (found.vid, found.pid, found.serial_number) == (0x0416, 0x5011, None)
