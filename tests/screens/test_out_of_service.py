"""Out of service on the real printer stack: the ESC/POS emulator on TCP runs out of paper with
no on-screen fallback → the out-of-service screen with its reason; paper in → attract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.emulator import PaperState, PrinterEmulator, TcpPrinterServer
from tests.screens.conftest import Rig, Ui


@pytest.fixture
def tcp_printer(tmp_path: Path) -> Iterator[tuple[PrinterEmulator, TcpPrinterServer]]:
    printer = PrinterEmulator(576, tmp_path / "tcp-receipts")
    with TcpPrinterServer(printer, port=0) as server:
        yield printer, server


@pytest.fixture
def printer_section(tcp_printer: tuple[PrinterEmulator, TcpPrinterServer]) -> str:
    server = tcp_printer[1]
    return (
        f'[printer]\ndriver = "network"\nhost = "{server.host}"\nport = {server.port}\n'
        "status_poll_s = 0.2\nscreen_fallback = false\n"
    )


@pytest.mark.parametrize("language", ["id", "en"])
def test_paper_out_shows_why_and_paper_in_gives_the_kiosk_back(
    ui: Ui, rig: Rig, tcp_printer: tuple[PrinterEmulator, TcpPrinterServer], language: str
) -> None:
    ui.show_language(language)
    tcp_printer[0].set_paper(PaperState.OUT)
    ui.on("out_of_service")
    expected = {
        "id": "Mohon maaf",
        "en": "We are sorry",
    }[language]
    assert expected in ui.texts()
    reason = ui.root.ids.manager.current_screen.reason
    assert (reason.en if language == "en" else reason.id) in ui.texts()
    assert "paper" in reason.en
    tcp_printer[0].set_paper(PaperState.FULL)
    ui.on("attract")
