"""Bansos's own screen and the complaint's photo, by touch, against a real centre on uvicorn
and the simulated camera: each programme with the resident's standing and, for those that
cannot be chosen, why; an application sent and then shown as being checked; a complaint
photo taken, retaken, kept and delivered through the outbox after the network returns, or
skipped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session as DbSession

from central.models import Complaint, Document
from kiosk.session.bansos import BansosChoice, Blocked, Standing
from screens.text import pick, word
from tests.journeys.conftest import page_photo
from tests.screens.conftest import Rig, Ui
from tests.screens.test_journey import _bright_share, sign_in_by_nik

BANSOS_LABEL = "Bantuan sosial"
COMPLAINT_LABEL = "Pengaduan"
CAMERA_WAIT_S = 90.0  # the simulated camera shares two cores with the centre and the UI


def _open_bansos(ui: Ui) -> tuple[Any, tuple[BansosChoice, ...]]:
    ui.press(BANSOS_LABEL)
    ui.on("bansos")
    screen = ui.root.ids.manager.current_screen
    ui.until(lambda: screen.loaded, "the resident's programmes")
    assert screen.choices is not None, ui.texts()
    return screen, screen.choices


def _shows_each_choice(ui: Ui, choices: tuple[BansosChoice, ...], language: str) -> None:
    from screens.bansos.bansos import blocked_text, standing_text

    texts = ui.texts()
    for choice in choices:
        name = pick(choice.name, language)
        assert name in texts and standing_text(choice, language) in texts
        apply = ui.buttons(f"{word('bansos.apply', language)} {name}")
        if choice.can_apply:
            assert apply != [], f"no button to apply for {name}"
        else:
            assert apply == [] and blocked_text(choice, language) in texts


def test_bansos_lists_the_residents_standing_explains_the_rule_and_applies_by_touch(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    _, choices = _open_bansos(ui)
    assert word("bansos.rule", "id") in ui.texts()
    assert [c.program_id for c in choices] == ["pbi_jk", "bpnt", "blt_dd", "pkh"]
    _shows_each_choice(ui, choices, "id")
    assert {c.program_id: c.blocked for c in choices}["pbi_jk"] is Blocked.NOT_AT_KIOSK
    # Cash (tunai) has two programmes: applying to one shows why the other cannot be chosen.
    target = next(
        (c for c in choices if c.can_apply and c.cluster == "tunai"),
        next(c for c in choices if c.can_apply),
    )
    name = pick(target.name, "id")
    ui.press(f"Daftar {name}")
    ui.on("review")
    assert any(text.endswith(f": {name}") for text in ui.texts()), ui.texts()
    ui.press("Kirim")
    ui.on("done")
    assert "BSO" in rig.kiosk.last_receipt_text()
    ui.press("Layanan lain")
    ui.on("menu")
    ui.until(lambda: ui.buttons(BANSOS_LABEL) != [], "the service tiles")
    _, after = _open_bansos(ui)
    mine = {c.program_id: c for c in after}[target.program_id]
    assert (mine.standing, mine.blocked) == (Standing.PENDING, Blocked.VERIFYING)
    taken = [c for c in after if c.blocked is Blocked.CLUSTER_TAKEN]
    assert taken != []  # e.g. BLT Dana Desa while PKH is held
    _shows_each_choice(ui, after, "id")
    for choice in taken:
        assert choice.held_by is not None
        shown = " ".join(ui.texts())
        assert "NIK Anda sudah terdaftar di " + choice.held_by.id in shown
    ui.press("English")  # the top bar's language switch relabels the list
    ui.until(lambda: word("bansos.rule", "en") in ui.texts(), "the list in English")
    _shows_each_choice(ui, after, "en")
    ui.press("Back")
    ui.on("menu")


def _complaint_to_the_photo(ui: Ui, rig: Rig) -> Any:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press(COMPLAINT_LABEL)
    ui.on("form")
    ui.press("infrastruktur")
    form = ui.root.ids.manager.current_screen
    ui.until(lambda: form.input_kind == "text", "the complaint's keyboard")
    ui.press("Huruf besar", *"jalan", "Spasi", *"rusak", "Lanjut")
    ui.on("photo")
    screen = ui.root.ids.manager.current_screen
    assert word("photo.ask", "id") in ui.texts()
    return screen


def _take(ui: Ui, screen: Any) -> list[float]:
    """Open the viewfinder, wait for the live picture, press the shutter, wait for the still
    to be offered; the share of near-white pixels in each picture drawn."""
    pictures: list[float] = []
    preview = screen.ids.preview

    def shown(widget: Any, _count: int) -> None:
        pictures.append(_bright_share(widget.texture))

    preview.bind(frames_shown=shown)
    try:
        ui.press("Ya, tambah foto" if screen.mode == "ask" else "Ulangi")
        ui.until(lambda: len(pictures) >= 3, "the camera's live picture", CAMERA_WAIT_S)
        ui.press("Ambil foto")
        ui.until(lambda: screen.mode == "still", "the still", CAMERA_WAIT_S)
    finally:
        preview.unbind(frames_shown=shown)
    return pictures


def _complaint_rows(rig: Rig) -> list[tuple[Complaint, Document | None]]:
    engine = create_engine(rig.central.settings.database_url)
    try:
        with DbSession(engine) as db:
            rows = db.scalars(select(Complaint)).all()
            return [
                (c, db.get(Document, c.photo_document_id) if c.photo_document_id else None)
                for c in rows
            ]
    finally:
        engine.dispose()


def test_a_complaint_photo_is_taken_retaken_kept_and_delivered_once_the_network_returns(
    ui: Ui, rig: Rig
) -> None:
    screen = _complaint_to_the_photo(ui, rig)
    rig.kiosk.put_on_tray(page_photo(rig.tmp / "road.jpg", 4))
    # Cancel in the viewfinder: back to the question, nothing taken.
    ui.press("Ya, tambah foto")
    ui.until(lambda: screen.mode == "viewfinder", "the viewfinder")
    ui.press("Batal")
    ui.until(lambda: screen.mode == "ask", "the question again", CAMERA_WAIT_S)
    first = _take(ui, screen)
    assert max(first) > 0.2  # the picture on the tray, with its white page
    assert word("photo.keep_question", "id") in ui.texts()
    _take(ui, screen)  # "Ulangi": the viewfinder again, another still
    ui.press("Pakai foto ini")
    ui.on("review")
    assert "Foto: terlampir" in "\n".join(ui.texts())
    scanner = rig.kiosk.core.scanner
    assert scanner is not None and scanner.preview.latest() is None  # nothing left on screen
    rig.kiosk.set_centre_reachable(False)
    ui.press("Kirim")
    ui.on("done")
    assert rig.kiosk.outbox_backlog() == 1  # sealed in the outbox, photo included
    assert _complaint_rows(rig) == []
    rig.kiosk.set_centre_reachable(True)
    ui.until(lambda: rig.kiosk.outbox_backlog() == 0, "the outbox delivery", CAMERA_WAIT_S)
    [(complaint, photo)] = _complaint_rows(rig)
    assert complaint.category == "infrastruktur"
    assert photo is not None and photo.content_type == "image/jpeg"


def test_a_complaint_without_a_photo_skips_the_step(ui: Ui, rig: Rig) -> None:
    _complaint_to_the_photo(ui, rig)
    ui.press("Lewati")
    ui.on("review")
    assert not any(text.startswith("Foto") for text in ui.texts())
    ui.press("Kirim")
    ui.on("done")
    ui.until(lambda: rig.kiosk.outbox_backlog() == 0, "the delivery")
    [(complaint, photo)] = _complaint_rows(rig)
    assert photo is None and complaint.photo_document_id is None


def _inside(widget: Any, view: Any) -> bool:
    """Whether ``widget`` lies within the scroll view's visible window (window coordinates)."""
    _, bottom = widget.to_window(widget.x, widget.y)
    _, top = widget.to_window(widget.right, widget.top)
    _, view_bottom = view.to_window(view.x, view.y)
    _, view_top = view.to_window(view.right, view.top)
    return bool(bottom >= view_bottom - 1 and top <= view_top + 1)


def test_bansos_applies_with_the_four_keys(ui: Ui, rig: Rig, window: Any) -> None:
    from kivy.uix.scrollview import ScrollView

    from tests.screens.test_keys import HELP, choose, key

    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    choose(ui, BANSOS_LABEL)
    ui.on("bansos")
    screen = ui.root.ids.manager.current_screen
    ui.until(lambda: screen.loaded, "the resident's programmes")
    target = next(c for c in screen.choices if c.can_apply)
    label = f"Daftar {pick(target.name, 'id')}"
    key(ui, HELP)  # F1 lists the choices: the programmes open to the resident among them
    assert label in ui.root.ids.toast.text
    # Large text on a short window: the list scrolls, shown from its end.
    ui.app.toggle_text_size()
    window.size = (1920, 720)
    try:
        view = next(w for w in screen.walk() if isinstance(w, ScrollView))
        ui.until(lambda: view.children[0].height > view.height, "a list longer than its view")
        view.scroll_y = 0
        ui.frames(3)
        button = next(b for b in ui.buttons(label))
        assert not _inside(button, view)
        choose(ui, label)  # the focus scrolls the list to the button before Enter
        assert _inside(button, view)
    finally:
        window.size = (1920, 1080)
    ui.on("review")
    choose(ui, "Kirim")
    ui.on("done")
    assert "BSO" in rig.kiosk.last_receipt_text()
