"""A resident's journey by touch alone, from the attract screen to a printed receipt, against
a real centre on uvicorn and the ESC/POS printer emulator; then the countdown back to idle."""

from __future__ import annotations

from kiosk.session import State
from tests.screens.conftest import Rig, Ui

QUEUE_LABEL = "Ambil nomor antrian"


def sign_in_by_nik(ui: Ui, nik: str, pin: str) -> None:
    ui.tap(ui.root.ids.manager.current_screen)  # touch the attract screen anywhere
    ui.on("language")
    ui.press("Bahasa Indonesia")
    ui.on("identify")
    ui.press("Masukkan NIK")
    ui.until(lambda: ui.screen == "identify" and ui.buttons("0") != [], "the NIK keypad")
    ui.press(*nik, "OK")
    ui.on("pin")
    ui.press(*pin, "OK")
    ui.on("menu")
    ui.until(lambda: ui.buttons(QUEUE_LABEL) != [], "the service tiles")


def test_queue_ticket_by_touch_prints_a_receipt(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press(QUEUE_LABEL)
    ui.on("review")
    assert "Ambil nomor antrian sekarang?" in ui.texts()
    ui.press("Kirim")
    ui.on("done")
    assert "Selesai. Ambil tanda terima Anda di bawah layar." in ui.texts()
    receipt = rig.kiosk.last_receipt_text()
    assert "ANTRIAN" in receipt.upper(), receipt
    assert len(rig.kiosk.receipt_files()) == 1


def test_the_countdown_ends_the_session_and_no_label_keeps_the_nik_or_name(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press(QUEUE_LABEL)
    ui.on("review")
    rig.kiosk.advance_clock(50)  # idle 60 s, countdown 10 s: inside the countdown
    ui.until(lambda: ui.root.ids.countdown.active, "the countdown overlay")
    assert any("Sesi berakhir dalam" in text for text in ui.texts())
    rig.kiosk.advance_clock(20)
    ui.on("attract")
    assert not ui.root.ids.countdown.active
    assert rig.kiosk.do(lambda s: s.state) is State.IDLE
    texts = "\n".join(ui.every_text())
    assert person.nik not in texts and person.nik[:4] + " " not in texts
    assert person.name not in texts


def test_continue_on_the_countdown_keeps_the_session(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    rig.kiosk.advance_clock(52)
    ui.until(lambda: ui.root.ids.countdown.active, "the countdown overlay")
    ui.press("Lanjutkan")
    ui.until(lambda: not ui.root.ids.countdown.active, "the countdown to close")
    rig.kiosk.advance_clock(20)  # past the old deadline: the touch restarted the timer
    ui.frames(90)
    assert ui.screen == "menu"
