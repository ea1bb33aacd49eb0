"""'Ambil surat' on the touchscreen, against a real centre on uvicorn and a real CUPS whose
printer is ippeveprinter (tests.support.cups): a letter the back office finished is listed
(its type and the day it was ready, nothing personal), printed by one touch, and recorded at
the centre; with the tray empty the resident reads that they should collect it at the village
office; the same by the four keys alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from central.contract.services import LetterStatus
from central.models import FinishedLetter
from central.models import LetterRequest as LetterRow
from common.wib import to_wib
from tests.screens.conftest import Rig, Ui
from tests.support.cups import FULL_TRAY, CupsRig, letter_pdf, pdf_says
from tests.support.letters import ready_letter

COLLECT = "Ambil surat"
READY_WAIT_S = 20.0
DOWN, ENTER = 274, 13  # SDL codes, as screens.keys has them (not imported: see test_keys)
MOST_CONTROLS = 60


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsRig]:
    rig = CupsRig().start()
    yield rig
    rig.stop()


@pytest.fixture
def printer_section(cups: CupsRig) -> str:
    return (
        f'[document_printer]\ndriver = "ipp"\nuri = "{cups.queue_uri}"\n'
        f'status_uri = "{cups.printer_uri}"\nstatus_poll_s = 0.2\njob_timeout_s = 30\n'
    )


def letter_ready(rig: Rig, marker: str) -> tuple[str, str]:
    """A finished letter for the signed-in person; its tracking code and its tile's label."""
    person = rig.person()
    code = ready_letter(rig.central, rig.kiosk.core.config.kiosk, person.nik, letter_pdf(marker))
    deadline = time.monotonic() + READY_WAIT_S
    while not rig.kiosk.do(lambda s: s.documents_ready):
        assert time.monotonic() < deadline, "the A4 printer never became ready"
        time.sleep(0.05)
    with rig.central.context.sessions() as db:
        row = db.scalar(select(LetterRow).where(LetterRow.tracking_code == code))
        assert row is not None
        letter = db.get(FinishedLetter, row.id)
        assert letter is not None
        ready_on = to_wib(letter.issued_at).strftime("%d-%m-%Y")
    return code, f"Surat Keterangan Domisili\nSiap sejak {ready_on}"


def signed_in_at_the_letters(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    rig.kiosk.tap_card(person.card_uid)
    ui.on("pin")
    ui.press(*person.pin)
    ui.on("menu")
    ui.until(lambda: ui.buttons(COLLECT) != [], "the 'Ambil surat' tile")


def status_of(rig: Rig, code: str) -> LetterStatus:
    with rig.central.context.sessions() as db:
        row = db.scalar(select(LetterRow).where(LetterRow.tracking_code == code))
        assert row is not None
        return LetterStatus(row.status)


def test_a_finished_letter_is_printed_by_touch_and_recorded(
    ui: Ui, rig: Rig, cups: CupsRig
) -> None:
    code, tile = letter_ready(rig, "SURAT-DOMISILI-TOUCH")
    before = len(cups.received())
    signed_in_at_the_letters(ui, rig)
    ui.press(COLLECT)
    ui.on("collect")
    assert "Ambil surat: pilih surat Anda" in ui.texts()
    assert ui.buttons(tile) != []
    person = rig.person()
    shown = "\n".join(ui.texts())
    for personal in (person.nik, person.name, code):
        assert personal not in shown
    ui.press(tile)
    screen = ui.root.ids.manager.get_screen("collect")
    ui.until(lambda: ui.screen == "collect" and screen.finished, "the letter's outcome", 60)
    assert "Selesai. Ambil surat Anda di printer." in ui.texts()
    received = cups.received()
    assert len(received) == before + 1 and pdf_says(received[-1], "SURAT-DOMISILI-TOUCH")
    assert status_of(rig, code) is LetterStatus.SUDAH_DIAMBIL
    assert ui.buttons(tile) == []  # collected: not offered again
    ui.press("Selesai")
    ui.on("attract")


def test_an_empty_tray_tells_the_resident_to_collect_it_at_the_village_office(
    ui: Ui, rig: Rig, cups: CupsRig
) -> None:
    code, tile = letter_ready(rig, "SURAT-DOMISILI-EMPTY")
    before = len(cups.received())
    signed_in_at_the_letters(ui, rig)
    ui.press(COLLECT)
    ui.on("collect")
    cups.set_sheets(0)  # the tray runs out after the list was shown
    try:
        ui.press(tile)
        screen = ui.root.ids.manager.get_screen("collect")
        ui.until(lambda: ui.screen == "collect" and screen.finished, "the outcome", 60)
    finally:
        cups.set_sheets(FULL_TRAY)
    texts = ui.texts()
    assert "Surat belum bisa dicetak di sini" in texts
    assert "Kertas printer habis. Silakan ambil surat Anda di kantor desa." in texts
    ui.show_language("en")
    assert (
        "The printer is out of paper. Please collect your letter at the village office."
        in ui.texts()
    )
    assert len(cups.received()) == before  # nothing went to the printer
    assert status_of(rig, code) is LetterStatus.SIAP_DIAMBIL  # still to collect
    ui.press("Another service")
    ui.on("menu")


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
            key(ui, ENTER)
            return
    pytest.fail(f"{label!r} never got the focus on the {ui.screen} screen")


def test_a_letter_is_collected_with_the_four_keys_only(ui: Ui, rig: Rig, cups: CupsRig) -> None:
    code, tile = letter_ready(rig, "SURAT-DOMISILI-KEYS")
    person = rig.person()
    ui.app.speaker.enabled = True
    rig.kiosk.tap_card(person.card_uid)
    ui.on("pin")
    ui.touches = 0
    for digit in person.pin:
        choose(ui, digit)
    ui.on("menu")
    ui.until(lambda: ui.buttons(COLLECT) != [], "the 'Ambil surat' tile")
    choose(ui, COLLECT)
    ui.on("collect")
    choose(ui, tile)
    screen = ui.root.ids.manager.get_screen("collect")
    ui.until(lambda: ui.screen == "collect" and screen.finished, "the letter's outcome", 60)
    said = [text for text, _language in ui.spoken]
    assert "Ambil surat: pilih surat Anda" in said
    assert tile.replace("\n", " ") in said  # the focused letter, read out as one line
    assert "Selesai. Ambil surat Anda di printer." in said
    choose(ui, "Selesai")
    ui.on("attract")
    assert ui.touches == 0
    assert status_of(rig, code) is LetterStatus.SUDAH_DIAMBIL
