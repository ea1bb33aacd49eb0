"""The four keys alone (Up/Down, Enter, F1), through the window's keyboard events: a queue
number from the attract screen to a printed receipt, signed in or straight from the attract's
button, with the focus outlined as it moves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.screens.conftest import Rig, Ui

# SDL key codes, as screens.keys has them: importing that module here would create Kivy's
# window at collection time, before the display fixture has chosen its display and size.
DOWN, ENTER, HELP = 274, 13, 282

MOST_CONTROLS = 60  # more Down presses than any screen has controls


def key(ui: Ui, code: int) -> None:
    from kivy.core.window import Window

    Window.dispatch("on_key_down", code, 0, None, [])
    Window.dispatch("on_key_up", code, 0)
    ui.frames(2)


def choose(ui: Ui, label: str) -> None:
    """Down until the outlined control says ``label``, then Enter."""
    keys: Any = ui.app.keys
    for _ in range(MOST_CONTROLS):
        key(ui, DOWN)
        if keys.focused is not None and keys.focused.text == label:
            frame = keys._frame.rectangle
            assert frame[2] > keys.focused.width  # the outline surrounds it
            key(ui, ENTER)
            return
    pytest.fail(f"{label!r} never got the focus on the {ui.screen} screen")


def test_a_queue_number_with_the_four_keys_only(ui: Ui, rig: Rig) -> None:
    from screens import keys

    assert (keys.DOWN, keys.ENTER, keys.HELP) == (DOWN, ENTER, HELP)
    person = rig.person()
    ui.tap(ui.root.ids.speech)  # the speaker button: every prompt is spoken from now on
    ui.touches = 0
    key(ui, ENTER)
    ui.on("language")
    choose(ui, "Bahasa Indonesia")
    ui.on("identify")
    choose(ui, "Masukkan NIK")
    ui.until(lambda: ui.buttons("0") != [], "the NIK keypad")
    for digit in person.nik:  # Enter on the 16th digit submits
        choose(ui, digit)
    ui.on("pin")
    for digit in person.pin:
        choose(ui, digit)
    ui.on("menu")
    ui.until(lambda: ui.buttons("Ambil nomor antrian") != [], "the tiles")
    key(ui, HELP)
    assert any("Ambil nomor antrian" in text for text in ui.texts())  # help lists the choices
    choose(ui, "Ambil nomor antrian")
    ui.on("review")
    choose(ui, "Kirim")
    ui.on("done")
    ui.frames(3)
    assert len(rig.kiosk.receipt_files()) == 1
    assert ui.touches == 0
    said = [text for text, language in ui.spoken if language == "id"]
    assert len(said) == len(ui.spoken)  # all in the language chosen
    # Each screen's instruction, in the order the screens came.
    instructions = [
        "Pilih bahasa",
        "Tempelkan e-KTP Anda pada pembaca kartu",
        "Masukkan PIN (6 angka)",
        "Pilih layanan",
        "Ambil nomor antrian sekarang?",
        "Selesai. Ambil tanda terima Anda di bawah layar.",
    ]
    positions = [said.index(text) for text in instructions]
    assert positions == sorted(positions), said
    assert "Bahasa Indonesia" in said and "Kirim" in said  # the focused controls
    help_text = next(text for text in said if text.startswith("Pilih layanan. Tombol"))
    assert "Ambil nomor antrian" in help_text  # F1: the instruction, then the choices
    assert not any(person.nik in text for text in said)  # the NIK is never spoken


def test_a_walk_in_queue_number_is_down_and_enter_on_the_attract_screen(ui: Ui, rig: Rig) -> None:
    ui.app.speaker.enabled = True
    ui.until(lambda: ui.buttons("Ambil nomor antrian") != [], "the attract's queue button")
    key(ui, HELP)
    assert ui.spoken[-1][0].endswith("Ambil nomor antrian")  # F1 lists it among the choices
    choose(ui, "Ambil nomor antrian")
    ui.on("done")
    ui.frames(3)
    assert len(rig.kiosk.receipt_files()) == 1
    assert ui.touches == 0
    assert ("Ambil nomor antrian", "id") in ui.spoken  # the focused button, said aloud
    choose(ui, "Selesai")
    ui.on("attract")
    key(ui, ENTER)  # nothing focused on a fresh attract screen: Enter still wakes the kiosk
    ui.on("language")


def test_a_usb_keypad_mapped_in_the_config_drives_the_focus(ui: Ui) -> None:
    from screens.keys import KeyMap, KeyNavigator

    keypad = KeyNavigator(
        ui.root, ui.app.router, KeyMap.from_lists(up=[56], down=[50], select=[53], help=[48])
    )
    ui.app.keys.detach()
    keypad.attach()
    try:
        ui.app.speaker.enabled = True
        key(ui, 53)  # the keypad's 5 selects: on the attract screen it wakes the kiosk
        ui.on("language")
        key(ui, 50)
        assert keypad.focused is not None
        assert ui.spoken[-1] == (keypad.focused.text, "id")
        key(ui, DOWN)  # the arrow is no longer mapped
        assert ui.spoken[-1] == (keypad.focused.text, "id")
    finally:
        keypad.detach()
        ui.app.keys.attach()
