"""Issue 15's back-office journey in a real headless Chromium: a village operator signs in,
sees only their office's requests, opens one with its scanned pages, moves it on, makes the
letter and marks it ready; the QR code in the letter's PDF (decoded with OpenCV) opens the
public verify page, which says the letter is valid. Screenshots go to the test artefacts
(docs/console/ keeps chosen copies of backoffice-inbox, backoffice-request, letter-verify)."""

from __future__ import annotations

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from central.models import OperatorAuditEntry
from tests.backoffice.helpers import qr_texts, sktm_request
from tests.central.conftest import Template
from tests.central.services_portal import Portal
from tests.console.conftest import OFFICE_A, OFFICE_B, Accounts, Browser
from tests.support.central_server import CentralServer


@pytest.fixture
def codes(console: CentralServer, sqlite_template: Template) -> dict[str, str]:
    person = next(p for p in sqlite_template.people if not p.must_change_pin)
    made = {}
    for office in (OFFICE_A, OFFICE_B):
        portal = Portal(console, console.enroll(office))
        portal.sign_in(person)
        made[office] = sktm_request(portal)
    return made


def _shot(page: Browser, name: str) -> None:
    page.screenshot(name)


def _move(page: Browser, status: str, reason: str) -> None:
    Select(page.driver.find_element(By.ID, "new_status")).select_by_visible_text(status)
    page.fill("reason", reason)
    page.press("Ubah status")


def test_a_village_operator_finishes_a_letter_whose_qr_verifies(
    page: Browser, console: CentralServer, codes: dict[str, str]
) -> None:
    own, other = codes[OFFICE_A], codes[OFFICE_B]
    page.sign_in(Accounts.village)
    page.press("Surat")
    assert page.path == "/console/letters"
    assert own in page.text and other not in page.text
    _shot(page, "backoffice-inbox")

    page.press(own)
    assert page.path == f"/console/letters/{own}" and "Pendaftaran beasiswa" in page.text
    images = page.driver.find_elements(By.CSS_SELECTOR, "ul.scans img")
    assert len(images) == 2
    assert all(page.driver.execute_script("return arguments[0].naturalWidth", i) for i in images)
    _shot(page, "backoffice-request")

    _move(page, "Menunggu tanda tangan", "Berkas lengkap, diteruskan ke Kades")
    assert "Status sudah diubah." in page.text
    page.fill("signer_name", "H. Sugeng Riyadi")
    page.press("Buat surat")
    assert "Surat sudah dibuat." in page.text and "Nomor: 401/001/" in page.text
    _move(page, "Siap diambil", "Sudah ditandatangani")
    assert page.driver.find_element(By.ID, "status").text == "Siap diambil"

    browser_cookies = {c["name"]: c["value"] for c in page.driver.get_cookies()}
    pdf = requests.get(
        f"{console.url}/console/letters/{own}/letter.pdf", cookies=browser_cookies, timeout=10
    )
    assert pdf.status_code == 200
    (verify_url,) = qr_texts(pdf.content)
    page.driver.get(verify_url)
    verdict = page.driver.find_element(By.ID, "verdict").text
    assert verdict == "Surat ini diterbitkan oleh kantor di bawah ini dan sah."
    assert "401/001/" in page.text and "Siap diambil" in page.text
    _shot(page, "letter-verify")

    with console.context.sessions() as db:
        seen = set(
            db.scalars(
                select(OperatorAuditEntry.record).where(OperatorAuditEntry.action == "scan_view")
            )
        )
    assert seen == {f"{own}:kk", f"{own}:pengantar_rt"}
