"""The console's two uploads in a real headless Chromium, through its file inputs: a village
operator uploads the wet-signed letter on a request's page (and the public verify page then
shows it valid), and adds then removes a project's photo on the village information page.
Screenshots go to the test artefacts (docs/console/ keeps backoffice-signed-upload and
backoffice-project-photos)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from central.models import FinishedLetter, Project
from tests.backoffice.helpers import sktm_request
from tests.backoffice.test_console_uploads import phone_photo, signed_scan
from tests.central.conftest import Template
from tests.central.services_portal import Portal
from tests.console.conftest import OFFICE_A, Accounts, Browser
from tests.support.central_server import CentralServer


@pytest.fixture
def code(console: CentralServer, sqlite_template: Template) -> str:
    person = next(p for p in sqlite_template.people if not p.must_change_pin)
    portal = Portal(console, console.enroll(OFFICE_A))
    portal.sign_in(person)
    return sktm_request(portal)


def _move(page: Browser, status: str, reason: str) -> None:
    Select(page.driver.find_element(By.ID, "new_status")).select_by_visible_text(status)
    page.fill("reason", reason)
    page.press("Ubah status")


def test_an_operator_uploads_the_signed_letter_and_it_verifies(
    page: Browser, console: CentralServer, code: str, tmp_path: Path
) -> None:
    scan = tmp_path / "surat-bertanda-tangan.pdf"
    scan.write_bytes(signed_scan())
    page.sign_in(Accounts.village)
    page.open(f"/console/letters/{code}")
    _move(page, "Menunggu tanda tangan", "Berkas lengkap")
    page.fill("signed_signer_name", "H. Sugeng Riyadi")
    page.driver.find_element(By.ID, "signed_letter").send_keys(str(scan))
    page.screenshot("backoffice-signed-upload")
    page.press("Unggah surat bertanda tangan")
    assert page.path == f"/console/letters/{code}?done=signed"
    assert "Surat bertanda tangan sudah diunggah" in page.text
    assert "diunggah, bertanda tangan" in page.driver.find_element(By.ID, "letter").text
    _move(page, "Siap diambil", "Sudah ditandatangani basah")

    with console.context.sessions() as db:
        letter = db.scalars(select(FinishedLetter)).one()
        assert letter.content == scan.read_bytes()
        verify_code = letter.verify_code
    page.open(f"/verify/{verify_code}")
    verdict = page.driver.find_element(By.ID, "verdict").text
    assert verdict == "Surat ini diterbitkan oleh kantor di bawah ini dan sah."


def test_an_operator_adds_and_removes_a_project_photo(
    page: Browser, console: CentralServer, tmp_path: Path
) -> None:
    with console.context.sessions() as db:
        project = db.scalars(
            select(Project).where(Project.office_id == OFFICE_A).order_by(Project.id)
        ).first()
        assert project is not None
        project_id, name, seeded = project.id, project.name, list(project.photo_ids)
    photo = tmp_path / "progres.jpg"
    photo.write_bytes(phone_photo((1600, 1200)))

    page.sign_in(Accounts.village)
    page.press("Informasi desa")
    page.driver.find_element(By.ID, f"photo-{project_id}").send_keys(str(photo))
    page._navigate(f"//form[@action='/console/information/projects/{project_id}/photos']//button")
    assert "Tersimpan" in page.text, page.text
    with console.context.sessions() as db:
        listed = list(db.get_one(Project, project_id).photo_ids)
    (added,) = [p for p in listed if p not in seeded]
    image = page.driver.find_element(
        By.CSS_SELECTOR, f"img[src='/console/information/projects/{project_id}/photos/{added}']"
    )
    # Upright from its EXIF orientation (the phone held upright), 1280 px on the long side.
    assert page.driver.execute_script("return arguments[0].naturalWidth", image) == 960
    assert f"{name}" in page.row(name)
    page.driver.execute_script("arguments[0].scrollIntoView()", image)
    page.screenshot("backoffice-project-photos")

    page._navigate(
        f"//form[@action='/console/information/projects/{project_id}/photos/{added}/remove']"
        "//button"
    )
    with console.context.sessions() as db:
        assert db.get_one(Project, project_id).photo_ids == seeded
