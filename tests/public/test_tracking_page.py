"""The public tracking page, opened as a phone opens a receipt's QR: every reference any
receipt prints resolves there (letter, complaint, queue ticket, the offline slip's reference
once delivered), showing status and dates and nothing personal; an unknown code gets a
friendly page saying what to do."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from central.contract.models import EnrollmentRequest, EnrollmentResponse, Office, OfficeKind
from central.contract.services import (
    Complaint,
    LetterRequest,
    LetterRequestCreate,
    LetterStatus,
    QueueTicket,
    TrackedItem,
)
from central.seeding.seed import DemoIdentity
from drivers.printer.receipt import QrCode, Receipt
from kiosk.identity import KioskKey
from kiosk.receipts import (
    ReceiptContext,
    complaint_receipt,
    letter_receipt,
    queue_receipt,
    queued_receipt,
)
from tests.backoffice.helpers import generate
from tests.central.services_portal import Portal, local_ref
from tests.public.conftest import MONDAY_10_WIB
from tests.support.central_server import HARDWARE, CentralServer

OFFICE = "35.10.01.2001"
COMPLAINT_TEXT = "Lampu penerangan jalan di depan rumah nomor 12 RT 003 padam sejak seminggu."


def _receipt_context(central: CentralServer) -> ReceiptContext:
    """What an enrolled kiosk of OFFICE prints with: the centre's own tracking page."""
    return ReceiptContext(
        office=Office(id=OFFICE, name="Blimbingsari", kind=OfficeKind.DESA),
        kiosk_id="KSK-TEST",
        language="id",
        now=MONDAY_10_WIB,
        tracking_url=f"{central.url}/lacak/{{code}}",
    )


def _qr(receipt: Receipt) -> str:
    (data,) = [block.data for block in receipt.blocks if isinstance(block, QrCode)]
    return data


def _open(url: str, **params: str) -> requests.Response:
    """As a phone's browser does: a plain GET, no signature, no cookie."""
    return requests.get(url, params=params, timeout=10)


def _letter(portal: Portal, ref: str | None = None) -> LetterRequest:
    body: dict[str, Any] = {
        "local_ref": ref or local_ref(),
        "service_id": "domisili",
        "answers": {"keperluan": "Melamar pekerjaan di pabrik"},
        "submitted_at": "2026-11-23T09:55:00+07:00",
    }
    reply = portal.post("/v1/letters", body)
    assert reply.status_code == 201, reply.text
    return LetterRequest.model_validate_json(reply.content)


def _assert_nothing_personal(page: str, person: DemoIdentity) -> None:
    assert person.nik not in page and person.nik[-4:] + "<" not in page
    assert person.name not in page and person.name.split()[0] not in page


def test_letter_receipt_qr_opens_its_status_in_both_languages(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    letter = _letter(portal)
    url = _qr(letter_receipt(letter, _receipt_context(portal.central)))
    assert urlsplit(url).path == f"/lacak/{letter.tracking_code}"
    page = _open(url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]
    assert letter.tracking_code in page.text
    assert "Belum lengkap" in page.text and "Surat Keterangan Domisili" in page.text
    assert "23 November 2026, 10.00 WIB" in page.text
    _assert_nothing_personal(page.text, demo_people[0])
    english = _open(url, lang="en")
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert "Incomplete" in english.text and "Last updated" in english.text


def test_ready_letter_says_where_to_collect_and_lists_dated_steps(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    letter = _letter(portal)
    moves = ((1, "Berkas diserahkan"), (2, "Menunggu Kepala Desa"), (3, "Sudah ditandatangani"))
    for status, reason in moves:
        if status == LetterStatus.SIAP_DIAMBIL:  # the back office makes the letter first
            assert generate(portal, letter.tracking_code).status_code in (200, 201)
        moved = portal.operator_post(
            f"/v1/operator/letters/{letter.tracking_code}/status",
            {"status": status, "reason": reason},
        )
        assert moved.status_code == 200, moved.text
    page = _open(f"{portal.url}/lacak/{letter.tracking_code.lower()}").text
    assert "Siap diambil" in page and "Bawa struk dan e-KTP" in page
    steps = page.split("<ol>")[1].split("</ol>")[0]
    labels = ["Belum lengkap", "Sedang diperiksa", "Menunggu tanda tangan", "Siap diambil"]
    assert sorted(labels, key=steps.index) == labels and all(x in steps for x in labels)
    assert "Kepala Desa" not in page  # an operator's reason is not the public's
    _assert_nothing_personal(page, demo_people[0])


def test_complaint_receipt_qr_opens_its_status(
    portal: Portal, demo_people: list[DemoIdentity]
) -> None:
    body = {
        "local_ref": local_ref(),
        "category": "infrastruktur",
        "text": COMPLAINT_TEXT,
        "submitted_at": "2026-11-23T09:58:00+07:00",
    }
    reply = portal.post("/v1/complaints", body)
    assert reply.status_code == 201, reply.text
    complaint = Complaint.model_validate_json(reply.content)
    page = _open(_qr(complaint_receipt(complaint, _receipt_context(portal.central))))
    assert page.status_code == 200
    assert "Pengaduan: Infrastruktur" in page.text and "Diterima" in page.text
    assert "Lampu penerangan" not in page.text
    _assert_nothing_personal(page.text, demo_people[0])


def test_queue_ticket_qr_opens_its_place_at_its_office(portal: Portal) -> None:
    reply = portal.post("/v1/queue/tickets", {"local_ref": local_ref(), "counter": "A"})
    assert reply.status_code == 201, reply.text
    ticket = QueueTicket.model_validate_json(reply.content)
    url = _qr(queue_receipt(ticket, _receipt_context(portal.central)))
    assert f"kantor={OFFICE}" in url
    page = _open(url)
    assert page.status_code == 200 and "Menunggu dipanggil" in page.text
    served = portal.operator_post(
        "/v1/operator/queue/served", {"office_id": OFFICE, "number": ticket.number}
    )
    assert served.status_code == 200, served.text
    assert "Sudah dipanggil" in _open(url).text
    # The same number exists at every office each day: without the office it is not found.
    bare = _open(url.split("?")[0])
    assert bare.status_code == 404 and "Kode tidak ditemukan" in bare.text
    assert _open(url.split("?")[0], kantor="35.10.02.2001").status_code == 404


def test_offline_slip_reference_resolves_once_delivered(portal: Portal) -> None:
    ref = local_ref()
    slip = LetterRequestCreate(
        local_ref=ref, service_id="domisili", submitted_at=MONDAY_10_WIB
    )  # what the "saved, not sent yet" slip printed while the centre was away
    url = _qr(queued_receipt(slip, _receipt_context(portal.central)))
    before = _open(url)
    assert before.status_code == 404 and "belum terkirim" in before.text
    letter = _letter(portal, ref)  # the outbox delivers it later
    after = _open(url)
    assert after.status_code == 200 and letter.tracking_code in after.text
    assert _open(url.split("?")[0]).status_code == 200  # unique in the whole centre


@pytest.mark.parametrize("code", ["ZZZ-222222", "x", "SKT-7K3M9Q<script>", "a" * 300])
def test_unknown_or_malformed_code_gets_a_friendly_page(central: CentralServer, code: str) -> None:
    page = _open(f"{central.url}/lacak/{code}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Kode tidak ditemukan" in page.text and "kantor desa" in page.text
    assert "<script>" not in page.text
    english = _open(f"{central.url}/lacak/{code}", lang="en")
    assert english.status_code == 404 and "Code not found" in english.text


def test_lookup_form_sends_a_typed_code_to_its_page(portal: Portal) -> None:
    letter = _letter(portal)
    form = _open(f"{portal.url}/lacak")
    assert form.status_code == 200 and 'name="kode"' in form.text
    found = _open(f"{portal.url}/lacak", kode=f" {letter.tracking_code.lower()} ")
    assert found.status_code == 200 and found.url.endswith(f"/lacak/{letter.tracking_code.lower()}")
    assert "Belum lengkap" in found.text


def test_json_twin_for_apps(portal: Portal) -> None:
    letter = _letter(portal)
    reply = _open(f"{portal.url}/v1/public/track/{letter.tracking_code}")
    assert reply.status_code == 200
    item = TrackedItem.model_validate_json(reply.content)
    assert item.kind == "letter" and item.status_label.en == "Incomplete"
    assert [step.label.id for step in item.steps] == ["Belum lengkap"]
    missing = _open(f"{portal.url}/v1/public/track/ZZZ-222222")
    assert missing.status_code == 404 and missing.json()["code"] == "tracking_code_unknown"


@pytest.mark.parametrize(
    ("public_base_url", "expected"),
    [
        ("", "{central}/lacak/{{code}}"),
        ("https://lacak.desa.example.id/", "https://lacak.desa.example.id/lacak/{{code}}"),
    ],
)
def test_enrollment_hands_the_kiosk_the_tracking_url(
    central: CentralServer, public_base_url: str, expected: str
) -> None:
    central.context.settings.public_base_url = public_base_url
    request = EnrollmentRequest(
        token=central.enrollment_token(),
        public_key=KioskKey.generate().public_key_b64(),
        hardware=HARDWARE,
    )
    reply = requests.post(
        f"{central.url}/v1/enrollments",
        data=request.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    answer = EnrollmentResponse.model_validate_json(reply.content)
    assert answer.tracking_url == expected.format(central=central.url)
