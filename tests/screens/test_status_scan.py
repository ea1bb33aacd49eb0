"""The status check by a receipt's QR and "Permohonan saya", by touch, on the real app against
a real centre: a complaint is filed and its receipt printed (the emulator's PNG); the tray
camera is shown a photo of that receipt and the status screen reads its QR; the serial code
scanner (a pseudo-terminal, as a USB-CDC scanner appears) sends the QR's URL while the kiosk
is idle and the status shows; the signed-in resident's list shows the complaint."""

from __future__ import annotations

import os
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.session import State
from tests.journeys.conftest import page_photo
from tests.screens.conftest import Rig, Ui
from tests.support.qr import decode_qr

COMPLAINT = "Lampu jalan di RT 002 mati sejak seminggu."


class ScannerPort:
    """The scanner's side of a pty, at a stable path (as udev's /dev/serial/by-id names)."""

    def __init__(self, path: Path) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # a USB CDC port does no line editing
        self.master = master
        path.symlink_to(os.ttyname(slave))
        os.close(slave)
        self.path = path

    def send(self, data: bytes) -> None:
        os.write(self.master, data)


@pytest.fixture
def scanner_port(tmp_path: Path) -> Iterator[ScannerPort]:
    port = ScannerPort(tmp_path / "usb-Scanner_1234-if00")
    yield port
    os.close(port.master)


@pytest.fixture
def printer_section(scanner_port: ScannerPort) -> str:
    """This module's kiosks have a serial code scanner (kiosk.toml, docs/config.md)."""
    return f'\n[code_scanner]\ndriver = "serial"\npath = "{scanner_port.path}"\n'


def file_complaint(rig: Rig) -> tuple[str, Path]:
    """A complaint filed through the session (signed in by NIK); its tracking code and the
    receipt's PNG. The resident stays in the menu."""
    person = rig.person()
    for intent in (
        lambda s: s.enter_nik(person.nik),
        lambda s: s.enter_pin(person.pin),
        lambda s: s.choose("pengaduan"),
        lambda s: s.answer("infrastruktur"),
        lambda s: s.answer(COMPLAINT),
        lambda s: s.skip(),  # the photo
        lambda s: s.skip(),  # the SMS/WhatsApp number
        lambda s: s.submit(),
    ):
        rig.kiosk.do(intent)
    assert rig.kiosk.do(lambda s: s.state) is State.DONE
    receipt = rig.kiosk.receipt_files()[-1]
    url = decode_qr(receipt)
    assert "/lacak/ADU-" in url, url
    rig.kiosk.do(lambda s: s.finish())
    return url.rsplit("/", 1)[-1], receipt


def on_the_tray(receipt: Path, target: Path) -> Path:
    """A photo of the receipt lying on the tray: the narrow slip on a grey tray, in the
    camera's 16:9 (the simulated camera stretches whatever it is shown to its frame)."""
    slip = cv2.imread(str(receipt))
    assert slip is not None
    height = slip.shape[0] + 200
    width = height * 16 // 9
    tray = np.full((height, width, 3), (90, 100, 110), np.uint8)
    left = (width - slip.shape[1]) // 2
    tray[100 : 100 + slip.shape[0], left : left + slip.shape[1]] = slip
    cv2.imwrite(str(target), tray)
    return target


def open_status(ui: Ui) -> None:
    ui.tap(ui.root.ids.manager.current_screen)  # touch the attract screen anywhere
    ui.on("language")
    ui.press("Bahasa Indonesia")
    ui.on("identify")
    ui.press("Cek status permohonan")
    ui.on("status")


def answer_text(ui: Ui) -> str:
    answer = ui.app.router.screen("status").answer
    return "" if answer is None else str(answer.id)


def test_my_requests_by_touch_list_the_residents_complaint(ui: Ui, rig: Rig) -> None:
    code, _receipt = file_complaint(rig)
    ui.on("menu")
    ui.press("Permohonan saya")
    ui.on("requests")
    rows = ui.app.router.screen("requests").ids.rows
    ui.until(lambda: len(rows.children) == 1, "the resident's requests")
    row = rows.children[0].text
    assert code in row and "Pengaduan: Infrastruktur" in row and "Diterima" in row, row
    assert COMPLAINT not in " ".join(ui.texts())  # the complaint's text never shows
    ui.show_language("en")
    assert "Complaint: Infrastructure" in rows.children[0].text
    ui.press("Back")
    ui.on("menu")
    assert rig.kiosk.do(lambda s: s.state) is State.MENU  # the list never left the menu
    rig.kiosk.do(lambda s: s.cancel())
    ui.on("attract")
    assert len(rows.children) == 0  # nothing of the resident stays on the screen


def test_the_status_screen_reads_the_receipts_qr_with_the_camera(
    ui: Ui, rig: Rig, tmp_path: Path
) -> None:
    code, receipt = file_complaint(rig)
    rig.kiosk.do(lambda s: s.cancel())
    ui.on("attract")
    rig.kiosk.put_on_tray(page_photo(tmp_path / "no-receipt-yet.jpg"))  # a page, no QR
    open_status(ui)
    screen = ui.app.router.screen("status")
    ui.press("Pindai QR")
    preview = screen.ids.preview
    ui.until(lambda: preview.frames_shown > 5, "the tray's live picture")
    assert answer_text(ui) == "" and screen.watching  # no QR yet: it keeps looking
    rig.kiosk.put_on_tray(on_the_tray(receipt, tmp_path / "receipt-on-tray.png"))
    ui.until(lambda: code in answer_text(ui), "the receipt's status read from its QR")
    assert "Diterima" in answer_text(ui)
    assert not screen.watching and ui.buttons("Pindai QR") != []  # the watch ended itself


def test_a_code_from_the_serial_scanner_shows_its_status_while_idle(
    ui: Ui, rig: Rig, scanner_port: ScannerPort
) -> None:
    code, receipt = file_complaint(rig)
    rig.kiosk.do(lambda s: s.cancel())
    ui.on("attract")
    ui.until(
        lambda: rig.kiosk.core.device_statuses()["code_scanner"].state.value == "online",
        "the code scanner online",
    )
    scanner_port.send(decode_qr(receipt).encode() + b"\r")  # what the scanner reads off it
    ui.on("status")
    ui.until(lambda: code in answer_text(ui), "the scanned receipt's status")
    assert "Diterima" in answer_text(ui)
    scanner_port.send(b"SKT-2345AB\n")  # on the status screen: another code, another answer
    ui.until(lambda: "Tidak ada permohonan dengan kode ini" in answer_text(ui), "the unknown code")


def test_a_scan_during_a_session_changes_nothing(
    ui: Ui, rig: Rig, scanner_port: ScannerPort
) -> None:
    code, receipt = file_complaint(rig)
    ui.on("menu")
    ui.until(
        lambda: rig.kiosk.core.device_statuses()["code_scanner"].state.value == "online",
        "the code scanner online",
    )
    scanner_port.send(decode_qr(receipt).encode() + b"\r\n")
    deadline = time.monotonic() + 2.0  # the scanner's read timeout is 0.2 s: ample
    while time.monotonic() < deadline:
        ui.frames(1)
    assert ui.screen == "menu" and answer_text(ui) == ""
    rig.kiosk.do(lambda s: s.cancel())  # between residents, the same read counts
    ui.on("attract")
    scanner_port.send(decode_qr(receipt).encode() + b"\r\n")
    ui.on("status")
    ui.until(lambda: code in answer_text(ui), "the scanned receipt's status")


def test_the_technician_sees_the_code_scanner(ui: Ui, rig: Rig) -> None:
    from kiosk.maintenance import Maintenance

    router = ui.app.router
    screen = router.screen("maintenance")
    screen.tools = Maintenance(rig.kiosk.core, centre_url=rig.central.url)
    screen.unlock()
    router.show("maintenance")
    ui.until(lambda: screen.report != "", "the technician's checkup")
    assert "Pemindai kode: " in screen.report, screen.report


def test_an_offline_slip_scanned_after_delivery_shows_the_request(
    ui: Ui, rig: Rig, scanner_port: ScannerPort
) -> None:
    """A slip printed while the centre was away holds the outbox's reference; once delivered,
    scanning it finds the request (the centre answers with its tracking code)."""
    person = rig.person()
    rig.kiosk.do(lambda s: s.enter_nik(person.nik))
    rig.kiosk.do(lambda s: s.enter_pin(person.pin))
    rig.kiosk.set_centre_reachable(False)
    for intent in (
        lambda s: s.choose("pengaduan"),
        lambda s: s.answer("infrastruktur"),
        lambda s: s.answer(COMPLAINT),
        lambda s: s.skip(),  # the photo
        lambda s: s.skip(),  # the SMS/WhatsApp number
        lambda s: s.submit(),
    ):
        rig.kiosk.do(intent)
    slip = decode_qr(rig.kiosk.receipt_files()[-1])
    reference = next(iter(rig.kiosk.core.outbox.items())).local_ref
    assert reference in slip, slip
    rig.kiosk.do(lambda s: s.cancel())
    rig.kiosk.set_centre_reachable(True)
    ui.until(lambda: rig.kiosk.outbox_backlog() == 0, "the slip's complaint delivered")
    rig.kiosk.do(lambda s: s.centre_reachable(True))
    ui.on("attract")
    scanner_port.send(slip.encode() + b"\r")
    ui.on("status")
    ui.until(lambda: "ADU-" in answer_text(ui), "the delivered complaint's status")
    assert "Diterima" in answer_text(ui)
