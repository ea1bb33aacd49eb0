"""Service results as the centre sends them, a session context, and the printer emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from central.contract.models import LocalizedText, Office, OfficeKind, ResidentSummary, Service
from central.contract.services import (
    LETTER_STATUS_LABELS,
    BansosApplication,
    BansosProgram,
    Complaint,
    LetterRequest,
    LetterStatus,
    QueueTicket,
)
from common.nik import build_nik, mask_nik
from drivers.emulator import EmulatedReceipt, PrinterEmulator
from drivers.printer import PrinterProfile, Receipt
from drivers.printer.render import render
from kiosk.receipts import ReceiptContext

FULL_NIK = build_nik(district_code="35.10.01", birth_date=date(1987, 4, 9), sex="P", serial=1)
NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # 14:05 WIB
OFFICE = Office(id="35.10.01.2001", name="Blimbingsari", kind=OfficeKind.DESA)
RESIDENT = ResidentSummary(name="Siti Aminah", nik_masked=mask_nik(FULL_NIK), village_id=OFFICE.id)

SKTM_LABEL = LocalizedText(
    id="Surat Keterangan Tidak Mampu (SKTM)", en="Certificate of low income (SKTM)"
)
SKTM = Service.model_validate(
    {
        "id": "sktm",
        "kind": "letter",
        "label": SKTM_LABEL.model_dump(),
        "documents": [
            {"name": "kk", "label": {"id": "Kartu Keluarga", "en": "Family card (KK)"},
             "provide": "scan"},
            {"name": "buku_nikah", "label": {"id": "Buku nikah", "en": "Marriage book"},
             "provide": "bring"},
            {"name": "akta", "label": {"id": "Akta kelahiran", "en": "Birth certificate"},
             "provide": "bring", "required": False},
        ],
    }
)  # fmt: skip


def letter_request(code: str = "K7QF-2M9A") -> LetterRequest:
    status = LetterStatus.SEDANG_DIPERIKSA
    label_id, label_en = LETTER_STATUS_LABELS[status]
    return LetterRequest(
        tracking_code=code,
        local_ref="0f3c2a9e5b7d4c1a8e6f2b9d3c7a5e1f",
        service_id="sktm",
        service_label=SKTM_LABEL,
        status=status,
        status_label=LocalizedText(id=label_id, en=label_en),
        submitted_at=NOW,
        received_at=NOW,
        history=[],
    )


def queue_ticket(waiting_ahead: int = 3) -> QueueTicket:
    return QueueTicket(
        number="A-012", office_id=OFFICE.id, day=date(2026, 11, 23), issued_at=NOW,
        waiting_ahead=waiting_ahead,
    )  # fmt: skip


PKH = BansosProgram(
    id="pkh",
    name=LocalizedText(id="Program Keluarga Harapan (PKH)", en="Family Hope Program (PKH)"),
    cluster="tunai",
    open_for_applications=True,
)
BANSOS = BansosApplication(
    tracking_code="B4NS-0S21", program_id="pkh", status="pending", received_at=NOW
)
COMPLAINT = Complaint(
    tracking_code="C0MP-L41N", category="infrastruktur", status="received", received_at=NOW
)


def context(language: str = "id", **changes: object) -> ReceiptContext:
    fields: dict[str, object] = {
        "office": OFFICE, "kiosk_id": "KIOSK-0007", "language": language, "now": NOW,
        "resident": RESIDENT,
    }  # fmt: skip
    fields.update(changes)
    return ReceiptContext(**fields)  # type: ignore[arg-type]


def print_out(receipt: Receipt, profile: PrinterProfile) -> EmulatedReceipt:
    """Render with the real renderer and feed the bytes to the real emulator (in-process)."""
    emulator = PrinterEmulator(profile.width_dots)
    emulator.feed(render(receipt, profile).data)
    emulator.finish()  # a 58 mm job has no cut to end it
    (printed,) = emulator.receipts
    return printed


@pytest.fixture(params=["id", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)
