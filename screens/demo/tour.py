"""``kiosk app --tour DIR``: the demo's scripted resident visits, played by touch on the real
app, with a screenshot of every screen they pass through.

It is what `make demo` shows on a machine without a display (under Xvfb): a queue number taken
with one touch on the attract screen (no card, no PIN), a letter with two scanned pages,
village information in both languages, the countdown before a session times out, and a
receipt shown on screen when the printer has run out of paper. The screenshots go to
``DIR/screens/`` (numbered in the order a resident sees them) and the receipts the simulated
printer printed to ``DIR/receipts/``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.demo.tray import PHOTOS, tray_photo
from kiosk.demo.visitor import Visitor
from kiosk.simulated import SimulatedKiosk
from screens.demo.finger import Finger

log = logging.getLogger(__name__)

QUEUE = "Ambil nomor antrian"
LETTER = "Surat Keterangan Tidak Mampu (SKTM)"
PURPOSE = "Sekolah anak"  # one of the SKTM's common purposes: one touch
INCOME_BAND = "Rp 500.001 - 1.000.000"  # the family's monthly income, one of the bands
INFORMATION = "Informasi desa"
DEMO_PHONE = "081200000001"  # the demo resident's SMS/WhatsApp opt-in: not a real number
IDLE_PAST_WARNING_S = 52  # the session's idle limit is 60 s and its countdown 10 s
IDLE_PAST_END_S = 20
CAPTURE_WAIT_S = 90.0  # the steady-page wait and the capture, on a loaded machine


class Tour:
    def __init__(self, finger: Finger, kiosk: SimulatedKiosk, visitor: Visitor, out: Path):
        self.finger = finger
        self.kiosk = kiosk
        self.visitor = visitor
        self.shots = out / "screens"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    def shot(self, name: str) -> None:
        path = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        self.taken.append(self.finger.screenshot(path))
        print(f"  screen: {path.name}", flush=True)  # noqa: T201 - the demo narrates

    def sign_in(self, *, first_visit: bool = False) -> None:
        ui = self.finger
        if first_visit:
            ui.on("attract")
            ui.tap(ui.root.ids.manager.current_screen)  # a touch anywhere wakes the kiosk
            ui.on("language")
            self.shot("language")
            ui.press("Bahasa Indonesia")
            ui.on("identify")
            self.shot("identify")
        self.kiosk.tap_card(self.visitor.card_uid)
        ui.on("pin")
        if first_visit:
            ui.press(*self.visitor.pin[:3])
            self.shot("pin")
            ui.press(*self.visitor.pin[3:])  # the 6th digit submits
        else:
            ui.press(*self.visitor.pin)
        ui.on("menu")
        ui.until(lambda: ui.buttons(QUEUE) != [], "the service tiles")

    def finish(self) -> None:
        self.finger.press("Selesai")
        self.finger.on("attract")

    def walk_in(self) -> None:
        """The attract screen's queue button, once the session offers it: one touch."""
        ui = self.finger
        ui.on("attract")
        ui.until(lambda: ui.buttons(QUEUE) != [], "the attract's queue button")

    def queue_number(self) -> None:
        ui = self.finger
        self.walk_in()
        self.shot("attract")
        ui.press(QUEUE)
        ui.on("done")
        self.shot("done-printed")
        self.finish()

    def letter_with_two_pages(self) -> None:
        ui = self.finger
        self.sign_in(first_visit=True)
        self.shot("menu")
        ui.press(LETTER)
        ui.on("form")
        self.shot("form-keyboard")  # the common purposes above the keyboard
        ui.press(PURPOSE)
        form = ui.root.ids.manager.current_screen
        ui.until(lambda: form.input_kind == "choice", "the income bands")
        self.shot("form-choice")
        ui.press(INCOME_BAND)
        for number, photo in enumerate(PHOTOS, start=1):
            self.scan_page(number, photo)
        ui.on("review")
        ui.press("Kabari saya lewat SMS/WhatsApp")  # told when it is ready: a made-up number
        ui.on("phone")
        ui.press(*DEMO_PHONE)
        self.shot("phone")
        ui.press("OK")
        ui.on("review")
        self.shot("review-letter")
        ui.press("Kirim")
        ui.on("done")
        self.shot("done-letter")
        self.finish()

    def scan_page(self, number: int, photo: str) -> None:
        """Put the paper on the tray, start, photograph the outlined page if the screen shows
        it before the auto-capture, and wait for the capture to move the step on."""
        ui = self.finger
        ui.on("scan")
        self.kiosk.put_on_tray(tray_photo(photo))
        scan = ui.root.ids.manager.current_screen
        before = scan.prompt

        def outlined() -> bool:
            return len(scan.ids.preview.outline) > 0 or scan.prompt is not before

        def captured() -> bool:
            return scan.prompt is not before or ui.screen != "scan"

        ui.press("Mulai memindai")
        ui.until(outlined, "the page's outline")
        if ui.screen == "scan" and scan.prompt is before:
            self.shot(f"scan-page-{number}")
        ui.until(captured, "the capture", CAPTURE_WAIT_S)

    def information_in_both_languages(self) -> None:
        ui = self.finger
        self.sign_in()
        ui.press(INFORMATION)
        ui.on("information")
        body = ui.root.ids.manager.current_screen.ids.body
        ui.until(lambda: len(body.children) > 3, "the village information")
        self.shot("information")
        ui.press("English")
        self.shot("information-en")
        ui.press("Back")
        ui.on("menu")
        self.shot("menu-en")
        ui.press("Cancel")
        ui.on("attract")

    def countdown(self) -> None:
        ui = self.finger
        self.sign_in()
        self.kiosk.advance_clock(IDLE_PAST_WARNING_S)
        ui.until(lambda: ui.root.ids.countdown.active, "the countdown overlay")
        self.shot("countdown")
        self.kiosk.advance_clock(IDLE_PAST_END_S)
        ui.on("attract")

    def receipt_on_screen_without_paper(self) -> None:
        ui = self.finger
        self.kiosk.run_out_of_paper()
        try:
            self.walk_in()
            ui.press(QUEUE)
            ui.on("done")
            done = ui.root.ids.manager.current_screen
            ui.until(lambda: done.qr_texture is not None, "the receipt's QR on screen")
            self.shot("done-qr-no-paper")
            self.finish()
        finally:
            self.kiosk.refill_paper()

    def visits(self) -> list[Callable[[], None]]:
        return [
            self.queue_number,
            self.letter_with_two_pages,
            self.information_in_both_languages,
            self.countdown,
            self.receipt_on_screen_without_paper,
        ]


def play(app: Any, kiosk: SimulatedKiosk, visitor: Visitor, out: Path) -> list[Path]:
    """Build the app on the window, play every visit, return the screenshots taken.
    Raises ``TourStuck`` naming what did not happen."""
    from kivy.core.window import Window

    root = app.build()
    Window.add_widget(root)
    tour = Tour(Finger(app, root), kiosk, visitor, out)
    try:
        for visit in tour.visits():
            print(f"- {visit.__name__.replace('_', ' ')}", flush=True)  # noqa: T201
            visit()
    finally:
        app.dispatch("on_stop")
        Window.remove_widget(root)
    log.info("tour done: %d screenshots, %d touches", len(tour.taken), tour.finger.touches)
    return tour.taken
