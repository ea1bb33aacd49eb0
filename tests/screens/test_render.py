"""Every built screen, in both languages and both orientations: it renders (a screenshot
that is not blank), it says what it should (its title, read from the widget tree), and every
control a finger can press measures at least 15 mm at the configured DPI, and nothing hidden
(opacity 0) is still drawn.

Set SCREENS_SHOTS_DIR (e.g. docs/screens) to keep the screenshots (docs/screens.md)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from central.contract.models import LocalizedText
from drivers.documents.errors import MediaEmpty
from kiosk.captured import ScannedDocument
from kiosk.session import State
from kiosk.session.collect import COLLECT_SERVICE_ID, not_printed
from kiosk.tray import PREVIEW_MAX, PreviewSlot, ScanGuidance
from screens.demo.finger import pressable
from screens.text import word
from screens.theme import MIN_TARGET_MM, px_to_mm
from screens.widgets.unseen import is_skipped
from tests.journeys.conftest import page_photo
from tests.screens.conftest import DPI, Rig, Ui
from tests.support.cups import letter_pdf
from tests.support.letters import ready_letter

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
INK_SHARE = 0.01  # at least 1 % of the pixels are not the background: something is drawn
QUEUE_ID = "antrian"
QR_URL = "https://desa.example/t/SKT-2026-000123"
LETTER_ID = "sktm"
INFO_ID = "informasi"
PAGE = ScannedDocument(b"%PDF-1.4 page", "application/pdf")


@pytest.fixture
def printer_section() -> str:
    """The walk's kiosk has an A4 printer too (the in-process simulator), for 'Ambil surat'."""
    return '[document_printer]\ndriver = "simulated"\n'


BANSOS_ID = "bansos"
COMPLAINT_ID = "pengaduan"


def ink(png: Path) -> float:
    image = cv2.imread(str(png))
    assert image is not None, f"{png} is not an image"
    pixels = int(image.shape[0]) * int(image.shape[1])
    return float(np.count_nonzero(image.max(axis=2) > 40)) / pixels


def half(png: Path, target: Path) -> None:
    """A half-size copy for the docs: readable, and a few kilobytes each."""
    image = cv2.imread(str(png))
    assert image is not None, f"{png} is not an image"
    small = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    target.parent.mkdir(parents=True, exist_ok=True)
    # imwrite answers False rather than raising: a screenshot asked for is never lost quietly.
    written = cv2.imwrite(str(target), small, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert written, f"{target} was not written"


def _show(slot: PreviewSlot, image: Any) -> None:
    """A camera picture into the screen's slot, as the camera process sends one."""
    rgb = cv2.cvtColor(cv2.resize(image, PREVIEW_MAX), cv2.COLOR_BGR2RGB)
    height, width = image.shape[:2]
    slot.show(rgb.tobytes(), PREVIEW_MAX, (width, height))


def small_targets(ui: Ui) -> list[str]:
    found = []
    for widget in ui.visible():
        if not pressable(widget):
            continue
        width_mm, height_mm = px_to_mm(widget.width, DPI), px_to_mm(widget.height, DPI)
        if min(width_mm, height_mm) < MIN_TARGET_MM:
            found.append(
                f"{type(widget).__name__} {widget.text!r}: {width_mm:.1f}x{height_mm:.1f} mm"
            )
    return found


def drawn_though_hidden(ui: Ui) -> list[str]:
    """Widgets of the shown screen and the overlays at opacity 0 whose drawing still costs
    frames (screens/widgets/unseen.py): e.g. one made after the app was built."""
    manager = ui.root.ids.manager
    shown = [w for w in ui.root.walk(restrict=True) if w is not manager]
    shown += list(manager.current_screen.walk(restrict=True))
    return [
        f"{type(w).__name__} {getattr(w, 'text', '')!r} is hidden but drawn"
        for w in shown
        if w.opacity == 0 and not is_skipped(w)
    ]


def walk(ui: Ui, rig: Rig) -> list[tuple[str, str, Callable[[], object]]]:
    """(shot name, the title's word key or literal text, how to get there), in journey order.
    The real session drives every screen it can; the two screens it only passes through
    (sending and printing) and the code on screen are shown directly."""
    person = rig.person()
    router: Any = ui.app.router
    tmp = rig.tmp
    letter = ready_letter(rig.central, rig.kiosk.core.config.kiosk, person.nik, letter_pdf("WALK"))
    language = ui.app.language

    def do(intent: Callable[[Any], object], screen: str) -> Callable[[], None]:
        def go() -> None:
            rig.kiosk.do(intent)
            ui.on(screen)

        return go

    def guidance() -> None:
        quad = ((250.0, 120.0), (950.0, 150.0), (930.0, 820.0), (230.0, 790.0))
        text = LocalizedText(id="Tahan diam", en="Hold still")
        preview = ui.root.ids.manager.current_screen.ids.preview
        shown = preview.frames_shown
        scanner = rig.kiosk.core.scanner
        assert scanner is not None
        tray = cv2.imread(str(page_photo(tmp / "tray.jpg", 1)))
        assert tray is not None
        _show(scanner.preview, tray)  # the live picture
        rig.kiosk.core.bus.publish(ScanGuidance("steady", text, 0.6, quad, (1200, 900)))
        ui.until(lambda: preview.outline != [] and preview.frames_shown > shown, "the picture")

    def technician(unlocked: bool) -> Callable[[], None]:
        def go() -> None:
            from kiosk.maintenance import Maintenance

            screen = router.screen("maintenance")
            screen.lock()
            if unlocked:  # the screen alone: the session stays where the walk left it
                screen.tools = Maintenance(rig.kiosk.core, centre_url=rig.central.url)
                screen.unlock()
            router.show("maintenance")
            ui.until(lambda: not unlocked or screen.report != "", "the technician's checkup")

        return go

    def direct(screen: str, **values: Any) -> Callable[[], None]:
        def go() -> None:
            target = router.screen(screen)
            for name, value in values.items():
                setattr(target, name, value)
            router.show(screen)
            ui.frames(3)

        return go

    def income_bands() -> None:
        router.answer("Beasiswa sekolah anak")  # as a touch would: the review lists it
        form = router.screen("form")
        ui.until(lambda: form.input_kind == "choice", "the income bands")

    def queue() -> None:
        """A new session (the letter is left), in the same language, for a queue number."""
        do(lambda s: s.cancel(), "attract")()
        ui.show_language(language)
        rig.kiosk.do(lambda s: s.enter_nik(person.nik))
        do(lambda s: s.enter_pin(person.pin), "menu")()
        do(lambda s: s.choose(QUEUE_ID), "review")()

    def information() -> None:
        do(lambda s: s.finish(), "menu")()
        do(lambda s: s.choose(INFO_ID), "information")()
        screen = router.screen("information")
        ui.until(lambda: len(screen.ids.body.children) > 3, "the village information")
        slots = screen._photo_slots.values()  # the projects' photos arrive after the rest
        ui.until(lambda: all(slot.texture is not None for slot in slots), "the project photos")

    def review() -> None:
        """The two pages attached as the scan step would: the letter's review follows."""
        rig.kiosk.do(lambda s: s.attach(PAGE))
        do(lambda s: s.attach(PAGE), "review")()

    def phone() -> None:
        """The review's "Kabari saya lewat SMS/WhatsApp"."""
        router.open_phone()
        ui.on("phone")

    def collect() -> None:
        do(lambda s: s.finish(), "menu")()
        ui.until(lambda: rig.kiosk.do(lambda s: s.documents_ready), "the A4 printer")
        do(lambda s: s.choose(COLLECT_SERVICE_ID), "collect")()

    def collected() -> None:
        screen = router.screen("collect")
        do(lambda s: s.collect_letter(letter), "collect")()
        ui.until(lambda: screen.finished, "the printed letter")

    def office() -> None:
        router.screen("collect").show_outcome(False, not_printed(MediaEmpty("tray empty")))
        ui.frames(3)

    def wake() -> None:
        # A loaded machine can make one centre request time out, and the kiosk is out of
        # service until the next one answers: the walk starts from the attract screen.
        ui.on("attract")
        router.wake()
        ui.on("language")

    def my_requests() -> None:
        router.open_my_requests()
        ui.on("requests")
        screen = router.screen("requests")
        ui.until(lambda: not screen.loading, "the resident's requests")

    def bansos() -> None:
        do(lambda s: s.back(), "menu")()
        do(lambda s: s.choose(BANSOS_ID), "bansos")()
        screen = router.screen("bansos")
        ui.until(lambda: screen.loaded and len(screen.ids.body.children) > 3, "the programmes")

    def photo() -> None:
        do(lambda s: s.back(), "menu")()
        rig.kiosk.do(lambda s: s.choose(COMPLAINT_ID))
        rig.kiosk.do(lambda s: s.answer("infrastruktur"))
        do(lambda s: s.answer("Jalan desa berlubang di RT 003"), "photo")()

    def photo_still() -> None:
        """The still offered to keep: the screen's mode and a picture in the preview slot."""
        screen = router.screen("photo")
        preview = screen.ids.preview
        shown = preview.frames_shown
        screen.mode = "still"
        scanner = rig.kiosk.core.scanner
        assert scanner is not None
        still = cv2.imread(str(page_photo(tmp / "still.jpg", 2)))
        assert still is not None
        _show(scanner.preview, still)
        ui.until(lambda: preview.frames_shown > shown, "the still")

    def offered() -> None:
        queue = router.screen("attract").ids.queue
        ui.until(lambda: queue.children != [], "the attract's queue button")

    def walk_in() -> None:
        """A queue number from the attract's button: the done screen without "another
        service"."""
        router.take_queue_number(QUEUE_ID)
        ui.on("done")

    def after_walk_in() -> None:
        """Finish: the session's end resets the language, which the walk then sets again."""
        router.cancel()
        ui.until(
            lambda: ui.screen == "attract" and ui.app.language == ui.app.default_language,
            "the attract screen in the default language",
        )
        ui.show_language(language)
        wake()

    def qr() -> None:
        """The code on screen, drawn off the UI thread; a phone's reader decodes it."""
        done = router.screen("done")
        done.show(False, QR_URL)
        ui.until(lambda: done.qr_texture is not None, "the QR on screen")
        shot = cv2.imread(str(ui.screenshot(tmp / "qr.png")))
        assert shot is not None
        found, _points = cv2.QRCodeDetector().detectAndDecode(shot)[:2]
        assert found == QR_URL

    return [
        ("attract", "attract.call", offered),
        ("done-walk-in", "done.printed", walk_in),
        ("language", "language.title", after_walk_in),
        (
            "identify-card",
            "identify.title",
            lambda: (router.choose_language(ui.app.language), ui.on("identify")),
        ),
        ("status", "status.title", lambda: (router.open_status(), ui.on("status"))),
        ("identify-nik", "identify.nik_title", do(lambda s: s.start_nik_entry(), "identify")),
        ("pin", "pin.title", do(lambda s: s.enter_nik(person.nik), "pin")),
        ("menu", "menu.title", do(lambda s: s.enter_pin(person.pin), "menu")),
        ("requests", "requests.title", my_requests),
        ("form", "form.type_own", do(lambda s: s.choose(LETTER_ID), "form")),
        ("form-choice", "common.back", income_bands),
        (
            "scan",
            "scan.start",
            lambda: (router.answer("Rp 1.000.001 - 2.000.000"), ui.on("scan"), guidance()),
        ),
        ("review-letter", "review.notify", review),
        ("phone", "phone.hint", phone),
        ("review-queue", "review.queue", queue),
        ("submitting", "submitting.title", direct("progress", stage="submitting.title")),
        ("printing", "printing.title", direct("progress", stage="printing.title")),
        ("done-printed", "done.printed", do(lambda s: s.submit(), "done")),
        ("done-qr", "done.qr", qr),
        ("collect", "collect.title", collect),
        ("collect-printed", "collect.printed", collected),
        ("collect-office", "collect.not_printed", office),
        ("information", "info.title", information),
        ("bansos", "bansos.title", bansos),
        ("photo", "photo.ask", photo),
        ("photo-still", "photo.keep_question", photo_still),
        (
            "out-of-service",
            "oos.title",
            direct(
                "out_of_service",
                reason=LocalizedText(id="Printer perlu kertas.", en="The printer needs paper."),
            ),
        ),
        ("maintenance-pin", "tech.title", technician(unlocked=False)),
        ("maintenance", "tech.title_open", technician(unlocked=True)),
    ]


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_screen_renders_says_its_title_and_has_finger_sized_targets(
    ui: Ui, rig: Rig, window: Any, tmp_path: Path, language: str, orientation: str
) -> None:
    window.size = SIZES[orientation]
    ui.app.landscape = orientation == "landscape"
    ui.show_language(language)
    keep = os.environ.get("SCREENS_SHOTS_DIR")
    problems: list[str] = []
    try:
        for name, title, go in walk(ui, rig):
            go()
            ui.frames(2)
            expected = word(title, language)
            if expected not in ui.texts():
                problems.append(f"{name}: {expected!r} not among {ui.texts()}")
            problems += [f"{name}: {small}" for small in small_targets(ui)]
            problems += [f"{name}: {hidden}" for hidden in drawn_though_hidden(ui)]
            shot = ui.screenshot(tmp_path / f"{name}-{language}-{orientation}.png")
            if ink(shot) < INK_SHARE:
                problems.append(f"{name}: the screenshot is blank")
            if keep and (orientation == "landscape" or language == "id"):
                half(shot, Path(keep) / shot.name)
    finally:
        window.size = SIZES["landscape"]
    assert problems == []
    assert rig.kiosk.do(lambda s: s.state) is State.SERVICE  # the complaint's photo step
