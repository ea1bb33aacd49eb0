"""Technician maintenance mode on the real app: a 5-second press on the top-left corner and
the technician PIN (throttled), or a technician card; the kiosk is UNAVAILABLE(maintenance)
while it is open; devices, centre, outbox, test receipt, camera check; closing gives the
kiosk back."""

from __future__ import annotations

from typing import Any

from central.contract.models import UnavailableReason
from kiosk.config.secrets import hash_secret
from kiosk.session import State
from tests.screens.conftest import Rig, Ui

PIN = "739104"
CARD = "04A1B2C3D4"


def equip(ui: Ui, rig: Rig) -> Any:
    """The maintenance screen with this kiosk's tools and a technician PIN and card."""
    from kiosk.maintenance import Maintenance
    from kiosk.technician import TechnicianGate

    screen = ui.root.ids.manager.get_screen("maintenance")
    screen.tools = Maintenance(rig.kiosk.core, centre_url=rig.central.url)
    screen.gate = TechnicianGate(hash_secret(PIN), [hash_secret(CARD)])
    return screen


def long_press_corner(ui: Ui, seconds: float) -> None:
    import time

    from screens.demo.touch import ScriptedTouch

    touch = ScriptedTouch(5, ui.root.top - 5)
    touch.down()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ui.frames(1)
    touch.up()
    ui.frames(2)


def availability(rig: Rig) -> tuple[State, UnavailableReason | None]:
    return rig.kiosk.do(lambda s: (s.state, s.availability.reason))


def type_pin(ui: Ui, pin: str) -> None:
    ui.press(*pin, "OK")


def test_long_press_and_pin_open_maintenance_and_the_kiosk_is_unavailable(ui: Ui, rig: Rig) -> None:
    screen = equip(ui, rig)
    long_press_corner(ui, 1.0)  # a short press opens nothing
    assert ui.screen != "maintenance"
    long_press_corner(ui, 5.5)
    ui.on("maintenance")
    assert "Mode teknisi: masukkan PIN teknisi" in ui.texts()
    type_pin(ui, "000000")
    ui.until(lambda: screen.message == "PIN teknisi salah.", "the wrong PIN's answer")
    assert availability(rig) == (State.IDLE, None)  # nothing opened
    type_pin(ui, PIN)
    ui.until(lambda: screen.unlocked and screen.report != "", "the checkup")
    ui.until(lambda: availability(rig)[1] is UnavailableReason.MAINTENANCE, "maintenance")
    assert availability(rig)[0] is State.OUT_OF_SERVICE
    ui.frames(5)
    assert ui.screen == "maintenance"  # not the out-of-service screen: the technician is in
    report = screen.report
    for expected in (
        "Pembaca kartu: menyala",
        "Printer: ",
        "terhubung",
        "Menunggu dikirim (outbox): ",
        "Versi 0.1.0",
    ):
        assert expected in report, report
    before = len(rig.kiosk.receipt_files())
    ui.press("Cetak struk uji")
    ui.until(lambda: screen.message == "Struk uji dicetak.", "the test receipt")
    assert len(rig.kiosk.receipt_files()) == before + 1
    assert "STRUK UJI" in rig.kiosk.last_receipt_text()
    ui.press("Kertas sudah diganti")  # the printer is asked again and the report redone
    ui.until(lambda: "Printer: menyala, kertas cukup" in screen.report, "the printer checked")
    preview = screen.ids.preview
    shown = preview.frames_shown
    ui.press("Kamera")
    ui.until(lambda: preview.frames_shown > shown + 3, "the camera's picture")
    ui.press("Kamera")
    ui.until(lambda: not screen.previewing and not screen.busy, "the camera check's end")
    ui.press("Selesai perawatan")
    ui.on("attract")
    ui.until(lambda: availability(rig) == (State.IDLE, None), "the kiosk back in service")


def test_wrong_technician_pins_are_throttled(ui: Ui, rig: Rig) -> None:
    screen = equip(ui, rig)
    ui.app.router.open_technician()
    ui.on("maintenance")
    for _ in range(3):
        type_pin(ui, "111111")
        ui.until(lambda: not screen.busy, "the check")
    type_pin(ui, PIN)  # right, but too late
    ui.until(lambda: screen.message.startswith("Terlalu banyak PIN salah"), "the lock-out")
    assert not screen.unlocked
    assert availability(rig) == (State.IDLE, None)


def test_a_technician_card_opens_maintenance_and_ends_the_sign_in_it_began(
    ui: Ui, rig: Rig
) -> None:
    screen = equip(ui, rig)
    rig.kiosk.tap_card(CARD)
    ui.until(lambda: screen.unlocked, "maintenance by card")
    ui.until(lambda: availability(rig)[1] is UnavailableReason.MAINTENANCE, "maintenance")
    assert ui.screen == "maintenance"
    ui.press("Selesai perawatan")
    ui.until(lambda: availability(rig) == (State.IDLE, None), "the kiosk back in service")
