"""The finished letter: generated from its type's template with the office's kop, a number
per office per year (never shared, even when finished at the same moment), the resident's
data and the signer; a QR code that opens the public verify page; or a signed PDF uploaded in
its place. On SQLite and PostgreSQL, through a real server."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor

import pikepdf
import pytest
import requests

from central.backoffice.letter_templates import TEMPLATES
from central.backoffice.numbers import letter_number
from central.seeding.seed import DemoIdentity
from common.nik import mask_nik
from common.wib import WIB
from tests.backoffice.helpers import SIGNER, generate, move, pdf_text, qr_texts, sktm_request
from tests.central.services_portal import Portal, error

OFFICE = "35.10.01.2001"  # where the test kiosk is enrolled (Sarongan, Pesanggaran)
PARALLEL_LETTERS = 8


def _pdf(portal: Portal, code: str) -> bytes:
    reply = portal.operator_get(f"/v1/operator/letters/{code}/letter.pdf")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"].startswith("attachment;")
    return reply.content


def test_generated_letter_carries_number_kop_resident_signer_and_a_verifying_qr(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    code = sktm_request(portal)
    assert move(portal, code, 2).status_code == 200
    reply = generate(portal, code)
    assert reply.status_code == 200, reply.text
    letter = reply.json()
    year = portal.central.clock.now().astimezone(WIB).year
    assert letter["number"] == letter_number(TEMPLATES["sktm"].classification, 1, OFFICE, year)
    assert letter["source"] == "generated"

    pdf = _pdf(portal, code)
    text = pdf_text(pdf)
    resident = demo_people[0]
    for expected in ("SURAT KETERANGAN TIDAK MAMPU", "SARONGAN", "PESANGGARAN", letter["number"],
                     resident.name, resident.nik, SIGNER["signer_name"], "Kepala Desa",
                     "Pendaftaran beasiswa sekolah anak"):  # fmt: skip
        assert expected in text, expected
    assert qr_texts(pdf) == [letter["verify_url"]]

    page = requests.get(letter["verify_url"], timeout=10)  # no credentials at all
    assert page.status_code == 200
    assert letter["number"] in page.text and "Menunggu tanda tangan" in page.text
    assert 'class="verdict bad"' in page.text  # not signed yet: not valid
    assert resident.nik not in page.text and mask_nik(resident.nik) in page.text
    assert resident.name not in page.text

    assert move(portal, code, 3, "Sudah ditandatangani").status_code == 200
    page = requests.get(letter["verify_url"], params={"lang": "en"}, timeout=10)
    assert 'class="verdict ok"' in page.text and "Ready for collection" in page.text


def test_ready_needs_a_letter_and_then_the_letter_is_final(portal: Portal) -> None:
    code = sktm_request(portal)
    assert move(portal, code, 2).status_code == 200
    refused = move(portal, code, 3, "Siap")
    assert refused.status_code == 409 and error(refused).code == "letter_missing"

    first = generate(portal, code).json()
    again = generate(portal, code, signer_name="Dra. Wiwik Sulistyowati").json()
    assert again["number"] == first["number"] and again["verify_code"] == first["verify_code"]
    assert "Dra. Wiwik Sulistyowati" in pdf_text(_pdf(portal, code))

    assert move(portal, code, 3, "Sudah ditandatangani").status_code == 200
    late = generate(portal, code)
    assert late.status_code == 409 and error(late).code == "letter_not_makeable"


def test_letters_finished_at_once_never_share_a_number(portal: Portal) -> None:
    codes = [sktm_request(portal) for _ in range(PARALLEL_LETTERS)]
    assert portal.operator_headers  # the operator's key, made once before the threads start
    with ThreadPoolExecutor(PARALLEL_LETTERS) as pool:
        replies = list(pool.map(lambda code: generate(portal, code), codes))
    assert [r.status_code for r in replies] == [200] * PARALLEL_LETTERS, [r.text for r in replies]
    seqs = sorted(int(r.json()["number"].split("/")[1]) for r in replies)
    assert seqs == list(range(1, PARALLEL_LETTERS + 1))
    assert len({r.json()["verify_code"] for r in replies}) == PARALLEL_LETTERS


def test_a_signed_pdf_replaces_the_generated_one_and_keeps_its_number(portal: Portal) -> None:
    code = sktm_request(portal)
    generated = generate(portal, code).json()
    signed = _signed_scan()
    reply = _upload(portal, code, signed)
    assert reply.status_code == 200, reply.text
    assert reply.json()["number"] == generated["number"]
    assert reply.json()["source"] == "uploaded"
    assert _pdf(portal, code) == signed


def test_an_uploaded_letter_without_a_generated_one_gets_a_number(portal: Portal) -> None:
    code = sktm_request(portal)
    reply = _upload(portal, code, _signed_scan())
    assert reply.status_code == 200, reply.text
    assert re.fullmatch(rf"401/001/{re.escape(OFFICE)}/\d{{4}}", reply.json()["number"])


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"%PDF-1.4 not really", "application/pdf", 422, "document_unreadable"),
        (b"\xff\xd8\xff\xe0 jpeg", "image/jpeg", 415, "letter_not_pdf"),
    ],
)
def test_a_bad_signed_upload_is_refused_and_changes_nothing(
    portal: Portal, content: bytes, content_type: str, status: int, code: str
) -> None:
    tracking = sktm_request(portal)
    generated = generate(portal, tracking).json()
    reply = _upload(portal, tracking, content, content_type)
    assert reply.status_code == status and error(reply).code == code
    assert error(reply).message.en  # a translated reason, never a traceback
    after = portal.operator_get(f"/v1/operator/letters/{tracking}/letter").json()
    assert after["sha256"] == generated["sha256"] and after["source"] == "generated"


def test_a_pdf_with_a_script_is_refused(portal: Portal) -> None:
    code = sktm_request(portal)
    reply = _upload(portal, code, _signed_scan(script=True))
    assert reply.status_code == 422 and error(reply).code == "document_active_content"


def test_an_oversized_upload_is_refused_from_its_headers(portal: Portal) -> None:
    code = sktm_request(portal)
    limit = portal.central.context.settings.max_document_mb * 1024 * 1024
    reply = _upload(portal, code, b"%PDF-" + b"0" * limit)
    assert reply.status_code == 413 and error(reply).code == "document_too_large"


def test_unknown_verify_code_is_a_friendly_not_found(portal: Portal) -> None:
    page = requests.get(f"{portal.url}/verify/ZZZZZZZZZZ", timeout=10)
    assert page.status_code == 404
    assert "Tidak ada surat dengan kode verifikasi ini" in page.text
    assert "Traceback" not in page.text


def test_kiosks_cannot_make_letters(portal: Portal) -> None:
    code = sktm_request(portal)
    reply = portal.post(f"/v1/operator/letters/{code}/letter", SIGNER)
    assert reply.status_code == 401


def _signed_scan(*, script: bool = False) -> bytes:
    """A one-page PDF, as a scanner makes; with ``script`` it carries JavaScript."""
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        if script:
            pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        pdf.save(buffer)
    return buffer.getvalue()


def _upload(
    portal: Portal, code: str, content: bytes, content_type: str = "application/pdf"
) -> requests.Response:
    return requests.post(
        f"{portal.url}/v1/operator/letters/{code}/letter/signed",
        params=SIGNER,
        data=content,
        headers={**portal.operator_headers, "Content-Type": content_type},
        timeout=10,
    )
