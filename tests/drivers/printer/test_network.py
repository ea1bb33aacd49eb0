"""The driver against the emulator over real TCP on loopback."""

from __future__ import annotations

import queue
import socket

import numpy as np
import pytest
from escpos.exceptions import DeviceNotFoundError

from common.events import EventBus
from drivers.base import Cover, DeviceState, StatusChanged, Supply
from drivers.emulator import EmulatedReceipt, PaperState, PrinterEmulator, ReplyMode
from drivers.printer import (
    PRINTERS,
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterStatusUnknown,
    ThermalPrinter,
)
from tests.drivers.printer.conftest import TRACKING, ticket
from tests.support.qr import decode_qr_image


def _finished(printer: ThermalPrinter, emulator: PrinterEmulator, count: int) -> EmulatedReceipt:
    """The ``count``-th receipt; a 58 mm job has no cut, so it ends when the driver hangs up."""
    if not printer.profile.has_cutter:
        printer.close()
    return emulator.wait_for_receipts(count)[count - 1]


def _decode_qr(receipt: EmulatedReceipt) -> str:
    return decode_qr_image(np.asarray(receipt.image))


def test_receipt_png_has_paper_width_and_qr_decodes(
    printer: ThermalPrinter, emulator: PrinterEmulator
) -> None:
    result = printer.print(ticket())
    assert result.confirmed
    receipt = _finished(printer, emulator, 1)
    assert receipt.width == printer.profile.width_dots
    assert receipt.complete
    assert f"Kode: {TRACKING}" in receipt.lines
    assert _decode_qr(receipt) == f"https://desa.example.id/lacak/{TRACKING}"
    assert receipt.png_path is not None and receipt.png_path.stat().st_size > 0
    assert emulator.garbage_bytes == 0


@pytest.mark.parametrize(
    ("paper", "cover_open", "state", "supply", "cover"),
    [
        (PaperState.FULL, False, DeviceState.ONLINE, Supply.FULL, Cover.CLOSED),
        (PaperState.NEAR_END, False, DeviceState.ONLINE, Supply.LOW, Cover.CLOSED),
        (PaperState.OUT, False, DeviceState.OFFLINE, Supply.OUT, Cover.CLOSED),
        (PaperState.FULL, True, DeviceState.OFFLINE, Supply.FULL, Cover.OPEN),
    ],
)
def test_status_follows_the_printer(
    printer: ThermalPrinter,
    emulator: PrinterEmulator,
    paper: PaperState,
    cover_open: bool,
    state: DeviceState,
    supply: Supply,
    cover: Cover,
) -> None:
    emulator.set_paper(paper)
    emulator.set_cover(cover_open)
    status = printer.refresh_status()
    assert (status.state, status.supply, status.cover) == (state, supply, cover)


def test_silence_is_unknown_never_fine(printer: ThermalPrinter, emulator: PrinterEmulator) -> None:
    emulator.set_reply_mode(ReplyMode.SILENT)
    status = printer.refresh_status()
    assert (status.state, status.supply, status.cover) == (
        DeviceState.UNKNOWN,
        Supply.UNKNOWN,
        Cover.UNKNOWN,
    )
    assert status.last_error == "no reply to DLE EOT"
    printer.print(ticket())  # a printer without status support still prints, status stays unknown
    assert _finished(printer, emulator, 1).complete


def test_silence_refused_when_status_is_required(server: object, emulator: PrinterEmulator) -> None:
    assert hasattr(server, "port")
    emulator.set_reply_mode(ReplyMode.SILENT)
    printer = PRINTERS.create(
        "network",
        host="127.0.0.1",
        port=server.port,
        poll_period=None,
        status_timeout=0.1,
        require_status=True,
    )
    try:
        with pytest.raises(PrinterStatusUnknown):
            printer.print(ticket())
    finally:
        printer.close()
    assert emulator.receipts == []


def test_garbage_reply_is_an_error_status_and_recovers(
    printer: ThermalPrinter, emulator: PrinterEmulator
) -> None:
    emulator.set_reply_mode(ReplyMode.GARBAGE)
    status = printer.refresh_status()
    assert status.state is DeviceState.ERROR
    assert status.last_error is not None and "nonsense reply" in status.last_error
    with pytest.raises(PrinterError, match="nonsense"):
        printer.print(ticket())
    emulator.set_reply_mode(ReplyMode.NORMAL)
    assert printer.refresh_status().state is DeviceState.ONLINE
    printer.print(ticket())
    assert _finished(printer, emulator, 1).complete


def test_cover_open_refuses_the_job_before_sending(
    printer: ThermalPrinter, emulator: PrinterEmulator
) -> None:
    emulator.set_cover(True)
    with pytest.raises(CoverOpen, match="cover is open") as caught:
        printer.print(ticket())
    assert caught.value.progress is None
    assert emulator.discarded_ops == 0  # not one byte of the receipt went out


def test_paper_out_mid_receipt_reports_progress_then_reprint_is_whole(
    printer: ThermalPrinter, emulator: PrinterEmulator
) -> None:
    receipt = ticket(lines=8)
    emulator.run_out_after(lines=5)
    with pytest.raises(PaperOut) as caught:
        printer.print(receipt)
    progress = caught.value.progress
    assert progress is not None
    assert 0 < progress.blocks_confirmed < progress.blocks_sent < progress.blocks_total
    assert progress.bytes_sent > 0
    assert printer.status().supply is Supply.OUT
    partial = emulator.wait_for_receipts(1)[0]
    assert not partial.complete and partial.ended_by == "paper out"

    emulator.set_paper(PaperState.FULL)
    assert printer.print(receipt).confirmed
    whole = _finished(printer, emulator, 2)
    assert whole.complete
    assert f"Kode: {TRACKING}" in whole.lines
    assert _decode_qr(whole) == f"https://desa.example.id/lacak/{TRACKING}"


def test_status_changes_are_published_by_the_poller(
    server: object, emulator: PrinterEmulator, bus: EventBus
) -> None:
    assert hasattr(server, "port")
    seen: queue.Queue[StatusChanged] = queue.Queue()
    bus.subscribe(StatusChanged, seen.put)
    printer = PRINTERS.create(
        "network", host="127.0.0.1", port=server.port, bus=bus, poll_period=0.05, device_name="slip"
    )
    with printer:
        first = seen.get(timeout=5)
        assert (first.device, first.status.supply) == ("slip", Supply.FULL)
        emulator.set_paper(PaperState.NEAR_END)
        second = seen.get(timeout=5)
        assert second.status.supply is Supply.LOW
        assert second.status.since >= first.status.since
    assert seen.empty()  # unchanged polls publish nothing


def test_nothing_listening_is_offline_with_the_cause_kept() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = PRINTERS.create("network", host="127.0.0.1", port=port, poll_period=None)
    status = printer.refresh_status()
    assert status.state is DeviceState.OFFLINE
    with pytest.raises(PrinterOffline) as caught:
        printer.print(ticket())
    assert isinstance(caught.value.__cause__, DeviceNotFoundError)
    printer.close()
