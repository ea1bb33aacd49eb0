"""The information screen's project photos by touch, against a real centre on uvicorn: each
project's first photo (the seed's demo photos, served by the public photo route) arrives off
the UI thread through the session's cache, shrunk to its slot, and shows beside its progress
bar; a photo the office removes meanwhile leaves the slot blank and the screen working."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from central.models import Project
from kiosk.session.machine import Session
from screens.information.information import InformationScreen, ProjectPhoto
from tests.screens.conftest import Rig, Ui
from tests.screens.test_journey import sign_in_by_nik

OFFICE = "35.10.01.2001"  # the simulated kiosk's office (tests/screens/conftest.py)


def _open_information(ui: Ui, rig: Rig) -> InformationScreen:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press("Informasi desa")
    ui.on("information")
    screen = ui.root.ids.manager.current_screen
    assert isinstance(screen, InformationScreen)
    ui.until(lambda: len(screen.ids.body.children) > 3, "the information")
    return screen


def _photo(rig: Rig, project_id: str, photo_id: str) -> bytes:
    """The photo as the session has it (from its cache, after the screen asked for it)."""

    def ask(session: Session) -> bytes | None:
        return session.project_photo(project_id, photo_id)

    photo = rig.kiosk.do(ask)
    assert photo is not None
    return bytes(photo)


def _slots(screen: InformationScreen) -> list[ProjectPhoto]:
    return [w for w in screen.ids.body.walk(restrict=True) if isinstance(w, ProjectPhoto)]


def test_each_project_shows_its_first_photo_beside_its_progress_bar(ui: Ui, rig: Rig) -> None:
    with rig.central.context.sessions() as db:
        projects = db.scalars(
            select(Project).where(Project.office_id == OFFICE).order_by(Project.id)
        ).all()
        first = {p.id: p.photo_ids[0] for p in projects if p.photo_ids}
    assert first, "the seed gives the office's projects demo photos"

    screen = _open_information(ui, rig)
    slots = _slots(screen)
    assert len(slots) == len(first)
    ui.until(lambda: all(slot.texture is not None for slot in slots), "the project photos")
    slot_width, slot_height = screen.photo_slot_px()
    for project_id, photo_id in first.items():
        with Image.open(io.BytesIO(_photo(rig, project_id, photo_id))) as photo:
            width, height = photo.size
        slot = screen._photo_slots[project_id]
        assert slot.texture is not None
        shown_width, shown_height = slot.texture.size
        assert shown_width <= slot_width and shown_height <= slot_height
        assert max(shown_width, shown_height) < max(width, height)  # shrunk, not the original
        assert abs(shown_width / shown_height - width / height) < 0.02  # the photo's aspect
        row = slot.parent
        assert any(type(w).__name__ == "ProgressBar" for w in row.children)
    cached = rig.kiosk.do(lambda s: len(s.photos))
    assert cached == len(first)  # kept: the next visit asks the centre for none

    ui.press("Kembali")
    ui.on("menu")


def test_a_photo_the_centre_no_longer_has_leaves_the_slot_blank(ui: Ui, rig: Rig) -> None:
    with rig.central.context.sessions() as db:
        project = db.scalars(
            select(Project).where(Project.office_id == OFFICE).order_by(Project.id)
        ).first()
        assert project is not None and project.photo_ids
        project_id = project.id
        project.photo_ids = ["pho-removed-meanwhile", *project.photo_ids[1:]]
        db.commit()
    screen = _open_information(ui, rig)
    slots = _slots(screen)
    others = [s for pid, s in screen._photo_slots.items() if pid != project_id]
    ui.until(lambda: all(s.texture is not None for s in others), "the other photos")
    ui.frames(5)
    assert screen._photo_slots[project_id].texture is None
    assert len(slots) == len(screen._photo_slots)
    ui.press("Kembali")
    ui.on("menu")
