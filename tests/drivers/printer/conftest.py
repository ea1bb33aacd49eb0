"""A real TCP printer emulator on loopback, and a driver connected to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from common.events import EventBus
from drivers.emulator import PrinterEmulator, TcpPrinterServer
from drivers.printer import PRINTERS, Receipt, ThermalPrinter

TRACKING = "K7QF-2M9A"


def ticket(lines: int = 3) -> Receipt:
    """A queue ticket with a QR tracking code; ``lines`` extra text lines make it longer."""
    receipt = Receipt().title("KANTOR DESA BLIMBINGSARI").big_number("A-012")
    for n in range(lines):
        receipt.pair(f"Baris {n + 1}", "isi")
    return receipt.qr(f"https://desa.example.id/lacak/{TRACKING}").text(f"Kode: {TRACKING}").cut()


@pytest.fixture(params=["80mm", "58mm"])
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def emulator(tmp_path: Path, profile: str) -> PrinterEmulator:
    return PrinterEmulator(576 if profile == "80mm" else 384, tmp_path / "receipts")


@pytest.fixture
def server(emulator: PrinterEmulator) -> Iterator[TcpPrinterServer]:
    with TcpPrinterServer(emulator, port=0) as server:
        yield server


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def printer(server: TcpPrinterServer, profile: str, bus: EventBus) -> Iterator[ThermalPrinter]:
    printer = PRINTERS.create(
        "network",
        host=server.host,
        port=server.port,
        profile=profile,
        bus=bus,
        poll_period=None,
        status_timeout=0.3,
        write_timeout=2.0,
    )
    yield printer
    printer.close()
