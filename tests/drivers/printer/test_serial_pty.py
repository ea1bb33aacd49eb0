"""The serial driver (python-escpos Serial over pyserial) against the emulator on a real pty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.base import DeviceState, Supply
from drivers.emulator import PaperState, PrinterEmulator, PtyPrinter, ReplyMode
from drivers.printer import PRINTERS, PaperOut, ThermalPrinter
from tests.drivers.printer.conftest import TRACKING, ticket


@pytest.fixture
def pty_emulator() -> Iterator[tuple[PrinterEmulator, PtyPrinter]]:
    emulator = PrinterEmulator(576)
    with PtyPrinter(emulator) as pty:
        yield emulator, pty


@pytest.fixture
def serial_printer(pty_emulator: tuple[PrinterEmulator, PtyPrinter]) -> Iterator[ThermalPrinter]:
    _, pty = pty_emulator
    printer = PRINTERS.create(
        "serial", device=pty.slave_path, baudrate=115200, poll_period=None, status_timeout=0.3
    )
    yield printer
    printer.close()


def test_status_and_print_over_a_pty(
    pty_emulator: tuple[PrinterEmulator, PtyPrinter], serial_printer: ThermalPrinter
) -> None:
    emulator, _ = pty_emulator
    assert serial_printer.refresh_status().state is DeviceState.ONLINE
    emulator.set_paper(PaperState.NEAR_END)
    assert serial_printer.refresh_status().supply is Supply.LOW
    assert serial_printer.print(ticket()).confirmed
    (receipt,) = emulator.wait_for_receipts(1)
    assert receipt.width == 576 and receipt.ended_by == "cut"
    assert f"Kode: {TRACKING}" in receipt.lines
    assert emulator.garbage_bytes == 0


def test_silence_and_garbage_over_a_pty(
    pty_emulator: tuple[PrinterEmulator, PtyPrinter], serial_printer: ThermalPrinter
) -> None:
    emulator, _ = pty_emulator
    emulator.set_reply_mode(ReplyMode.SILENT)
    assert serial_printer.refresh_status().state is DeviceState.UNKNOWN
    emulator.set_reply_mode(ReplyMode.GARBAGE)
    assert serial_printer.refresh_status().state is DeviceState.ERROR
    emulator.set_reply_mode(ReplyMode.NORMAL)
    assert serial_printer.refresh_status().state is DeviceState.ONLINE


def test_paper_out_mid_job_over_a_pty(
    pty_emulator: tuple[PrinterEmulator, PtyPrinter], serial_printer: ThermalPrinter
) -> None:
    emulator, _ = pty_emulator
    emulator.run_out_after(bytes_=120)
    with pytest.raises(PaperOut) as caught:
        serial_printer.print(ticket(lines=6))
    progress = caught.value.progress
    assert progress is not None and 0 < progress.bytes_sent < 120
    assert progress.blocks_confirmed < progress.blocks_sent < progress.blocks_total
    emulator.set_paper(PaperState.FULL)
    serial_printer.print(ticket(lines=6))
    receipts = emulator.wait_for_receipts(2)
    assert [r.complete for r in receipts] == [False, True]


def test_missing_serial_device_is_offline() -> None:
    printer = PRINTERS.create("serial", device="/dev/does-not-exist", poll_period=None)
    status = printer.refresh_status()
    assert status.state is DeviceState.OFFLINE
    assert status.last_error is not None and "does-not-exist" in status.last_error
