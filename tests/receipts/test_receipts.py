"""Every receipt kind, in both languages, on both paper widths, through the real renderer and
the real ESC/POS emulator: the paper has the right width, its QR decodes to the reference, and
its text shows the reference and the masked NIK but never the full NIK."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from central.contract import services
from central.contract.models import LocalizedText, OfficeKind, ResidentSummary
from central.contract.services import (
    BansosApplicationCreate,
    ComplaintCreate,
    LetterRequestCreate,
)
from drivers.printer import PROFILE_58MM, PROFILE_80MM, PrinterProfile, Receipt
from drivers.printer.receipt import BigNumber, Pair, QrCode, TextLine
from kiosk.outbox import new_local_ref
from kiosk.receipts import (
    ReceiptContext,
    bansos_receipt,
    complaint_receipt,
    letter_receipt,
    queue_code,
    queue_receipt,
    queued_receipt,
    tracking_code_from_scan,
)
from kiosk.receipts.labels import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, COUNTERS, OFFICES
from tests.receipts.conftest import (
    BANSOS,
    COMPLAINT,
    FULL_NIK,
    NOW,
    PKH,
    RESIDENT,
    SKTM,
    SKTM_LABEL,
    context,
    letter_request,
    print_out,
    queue_ticket,
)
from tests.support.qr import decode_qr_image

pytestmark = pytest.mark.in_process

LOCAL_REF = "7d1e0c5a9b3f4e2d8c6a1b0f9e8d7c6b"


@dataclass(frozen=True)
class Kind:
    """A receipt kind: how to build it, and the reference its QR and text must carry."""

    name: str
    build: Callable[[ReceiptContext], Receipt]
    reference: str


KINDS = [
    Kind("letter", lambda ctx: letter_receipt(letter_request(), ctx, service=SKTM), "K7QF-2M9A"),
    Kind("queue", lambda ctx: queue_receipt(queue_ticket(), ctx), "231126-A-012"),
    Kind("bansos", lambda ctx: bansos_receipt(BANSOS, ctx, program=PKH), BANSOS.tracking_code),
    Kind("complaint", lambda ctx: complaint_receipt(COMPLAINT, ctx), COMPLAINT.tracking_code),
    Kind(
        "queued-letter",
        lambda ctx: queued_receipt(
            LetterRequestCreate(local_ref=LOCAL_REF, service_id="sktm", submitted_at=NOW),
            ctx,
            subject=SKTM_LABEL,
        ),
        LOCAL_REF,
    ),
    Kind(
        "queued-complaint",
        lambda ctx: queued_receipt(
            ComplaintCreate(
                local_ref=LOCAL_REF, category="keamanan", text="Lampu jalan mati", submitted_at=NOW
            ),
            ctx,
        ),
        LOCAL_REF,
    ),
    Kind(
        "queued-bansos",
        lambda ctx: queued_receipt(
            BansosApplicationCreate(local_ref=LOCAL_REF, program_id="pkh", submitted_at=NOW),
            ctx,
            subject=PKH.name,
        ),
        LOCAL_REF,
    ),
]


@pytest.mark.parametrize("profile", [PROFILE_58MM, PROFILE_80MM], ids=lambda p: p.name)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_prints_at_paper_width_with_qr_reference_and_masked_nik(
    kind: Kind, language: str, profile: PrinterProfile
) -> None:
    printed = print_out(kind.build(context(language)), profile)

    assert printed.complete
    assert printed.width == profile.width_dots
    assert decode_qr_image(np.asarray(printed.image)) == kind.reference
    assert kind.reference in printed.lines  # on a line of its own, not wrapped
    assert any(line.endswith(RESIDENT.nik_masked) for line in printed.lines)
    assert FULL_NIK not in printed.text
    assert FULL_NIK[4:12] not in printed.text  # the birth date part stays hidden
    assert "23-11-2026 14:05 WIB" in printed.text


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_labels_and_values_share_one_line_even_on_58mm(kind: Kind, language: str) -> None:
    """A pair too long for 32 columns would break over two lines; the wording must fit."""
    for block in kind.build(context(language)).blocks:
        if isinstance(block, Pair):
            assert len(block.label) + 1 + len(block.value) <= PROFILE_58MM.columns, block


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_header_names_office_and_kiosk_and_footer_says_keep_it(kind: Kind) -> None:
    lines = print_out(kind.build(context("id")), PROFILE_80MM).lines
    assert lines[:2] == ("KANTOR DESA BLIMBINGSARI", "Anjungan KIOSK-0007")
    assert lines[-1] == "Simpan struk ini."
    english = print_out(kind.build(context("en")), PROFILE_80MM).lines
    assert english[:2] == ("BLIMBINGSARI VILLAGE OFFICE", "Kiosk KIOSK-0007")
    assert english[-1] == "Keep this receipt."


def _texts(receipt: Receipt) -> list[str]:
    return [block.text for block in receipt.blocks if isinstance(block, TextLine | BigNumber)]


def test_letter_lists_only_the_papers_to_bring() -> None:
    texts = _texts(letter_receipt(letter_request(), context("id"), service=SKTM))
    assert "- Buku nikah" in texts
    assert "- Akta kelahiran (jika ada)" in texts
    assert "- Kartu Keluarga" not in texts  # scanned at the kiosk, not brought
    assert "Surat Keterangan Tidak Mampu (SKTM)" in texts

    without_catalog = _texts(letter_receipt(letter_request(), context("en")))
    assert not any(text.startswith("- ") for text in without_catalog)
    assert "Certificate of low income (SKTM)" in without_catalog


def test_letter_status_comes_from_the_centre_in_the_session_language() -> None:
    def status(language: str) -> str:
        receipt = letter_receipt(letter_request(), context(language))
        return next(b.value for b in receipt.blocks if isinstance(b, Pair) and b.label == "Status")

    assert (status("id"), status("en")) == ("Sedang diperiksa", "Being checked")


@pytest.mark.parametrize(
    ("language", "ahead", "expected"),
    [
        ("id", 0, "Anda berikutnya."),
        ("id", 1, "1 orang di depan Anda"),
        ("id", 7, "7 orang di depan Anda"),
        ("en", 0, "You are next."),
        ("en", 1, "1 person ahead of you"),
        ("en", 7, "7 people ahead of you"),
    ],
)
def test_queue_ticket_says_how_many_wait_ahead(language: str, ahead: int, expected: str) -> None:
    texts = _texts(queue_receipt(queue_ticket(ahead), context(language)))
    assert expected in texts


def test_queue_ticket_big_number_counter_and_spelled_day() -> None:
    indonesian = queue_receipt(queue_ticket(), context("id"))
    assert [b.text for b in indonesian.blocks if isinstance(b, BigNumber)] == ["A-012"]
    assert "Loket A: surat-menyurat" in _texts(indonesian)
    assert "Senin, 23 November 2026" in _texts(indonesian)
    english = _texts(queue_receipt(queue_ticket(), context("en")))
    assert "Monday, 23 November 2026" in english
    assert "Counter A: letters" in english


def test_queue_ticket_without_a_signed_in_resident_has_no_nik_line() -> None:
    printed = print_out(queue_receipt(queue_ticket(), context("id", resident=None)), PROFILE_58MM)
    assert not any(line.startswith("NIK") for line in printed.lines)
    assert "A-012" in printed.text


def test_bansos_and_complaint_wording() -> None:
    bansos = print_out(bansos_receipt(BANSOS, context("id"), program=PKH), PROFILE_80MM).text
    assert "Program Keluarga Harapan (PKH)" in bansos
    assert "Sedang ditinjau" in bansos
    unnamed = _texts(bansos_receipt(BANSOS, context("en")))
    assert "pkh" in unnamed  # no program at hand: its id, rather than nothing
    complaint = print_out(complaint_receipt(COMPLAINT, context("en")), PROFILE_80MM).text
    assert "Infrastructure" in complaint
    assert "Received" in complaint


def test_queued_receipt_says_plainly_it_is_not_sent() -> None:
    submission = ComplaintCreate(
        local_ref=LOCAL_REF, category="lainnya", text="Tolong perbaiki", submitted_at=NOW
    )
    indonesian = print_out(queued_receipt(submission, context("id")), PROFILE_58MM).text
    assert "belum terkirim" in indonesian
    assert "dikirim otomatis saat koneksi kembali" in " ".join(indonesian.split())
    english = print_out(queued_receipt(submission, context("en")), PROFILE_80MM).text
    assert "sent automatically when the connection returns" in " ".join(english.split())
    assert "Other" in english
    letter = LetterRequestCreate(local_ref=LOCAL_REF, service_id="domisili", submitted_at=NOW)
    assert "domisili" in _texts(queued_receipt(letter, context("en")))


def test_tracking_url_goes_in_the_qr_and_scans_back_to_the_code() -> None:
    ctx = context("id", tracking_url="https://desa.example.id/lacak/{code}")
    printed = print_out(letter_receipt(letter_request(), ctx), PROFILE_58MM)
    scanned = decode_qr_image(np.asarray(printed.image))
    assert scanned == "https://desa.example.id/lacak/K7QF-2M9A"
    assert tracking_code_from_scan(scanned) == "K7QF-2M9A"
    assert "K7QF-2M9A" in printed.lines
    assert "Pindai kode QR dengan ponsel" in " ".join(printed.text.split())
    bare = print_out(letter_receipt(letter_request(), context("id")), PROFILE_58MM).text
    assert "Pindai" not in bare and "Cek status di anjungan" in " ".join(bare.split())
    # The offline reference and the queue code are unique only within the office: their URLs
    # name it, and the public page finds them once the centre has them (issue 15 item 4).
    submission = LetterRequestCreate(local_ref=LOCAL_REF, service_id="sktm", submitted_at=NOW)
    qr_data = [b.data for b in queued_receipt(submission, ctx).blocks if isinstance(b, QrCode)]
    office = ctx.office.id
    assert qr_data == [f"https://desa.example.id/lacak/{LOCAL_REF}?kantor={office}"]
    queue_qr = [b.data for b in queue_receipt(queue_ticket(), ctx).blocks if isinstance(b, QrCode)]
    code = queue_code(queue_ticket())
    assert queue_qr == [f"https://desa.example.id/lacak/{code}?kantor={office}"]
    assert tracking_code_from_scan(queue_qr[0]) == code
    kiosk_ref = new_local_ref()  # what a kiosk's outbox makes scans back to itself
    assert tracking_code_from_scan(ctx.tracking_qr(kiosk_ref, office_scoped=True)) == kiosk_ref


def test_without_a_tracking_url_the_qr_holds_the_bare_code() -> None:
    ctx = context("id")
    submission = LetterRequestCreate(local_ref=LOCAL_REF, service_id="sktm", submitted_at=NOW)
    qr_data = [b.data for b in queued_receipt(submission, ctx).blocks if isinstance(b, QrCode)]
    assert qr_data == [LOCAL_REF]
    assert ctx.tracking_qr("K7QF-2M9A") == "K7QF-2M9A"


def test_tracking_url_with_a_query_gets_the_office_appended() -> None:
    ctx = context("id", tracking_url="https://desa.example.id/lacak?kode={code}")
    assert ctx.tracking_qr("231126-A-012", office_scoped=True) == (
        f"https://desa.example.id/lacak?kode=231126-A-012&kantor={ctx.office.id}"
    )


@pytest.mark.parametrize(
    ("scanned", "code"),
    [
        ("K7QF-2M9A", "K7QF-2M9A"),
        (" K7QF-2M9A\r\n", "K7QF-2M9A"),
        ("https://desa.example.id/lacak/K7QF-2M9A", "K7QF-2M9A"),
        ("https://desa.example.id/lacak/K7QF-2M9A/", "K7QF-2M9A"),
        ("https://desa.example.id/lacak/", None),
        ("https://desa.example.id/lacak/231126-A-012?kantor=35.10.01.2001", "231126-A-012"),
        ("https://desa.example.id/lacak?kode=K7QF-2M9A&kantor=35.10.01.2001", "K7QF-2M9A"),
        ("https://desa.example.id/lacak/K7QF%2D2M9A", "K7QF-2M9A"),
        ("hello world", None),
        ("xK7QF-2M9A", None),
        ("https://desa.example.id/lacak/" + "A" * 3000, None),
    ],
)
def test_tracking_code_from_scan(scanned: str, code: str | None) -> None:
    assert tracking_code_from_scan(scanned) == code


@pytest.mark.parametrize(
    "template",
    [
        "ftp://desa.example.id/{code}",
        "https://desa.example.id/lacak",
        "https://desa.example.id/{code}/{code}",
        "https://desa.example.id/{code}?n={nik}",
    ],
)
def test_bad_tracking_url_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="tracking URL"):
        context("id", tracking_url=template)


def test_full_nik_from_the_centre_is_masked_again() -> None:
    leaky = ResidentSummary(name="Siti Aminah", nik_masked=FULL_NIK, village_id=None)
    printed = print_out(queue_receipt(queue_ticket(), context("id", resident=leaky)), PROFILE_58MM)
    assert FULL_NIK not in printed.text
    assert RESIDENT.nik_masked in printed.text


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        context("id", now=NOW.replace(tzinfo=None))


def test_unknown_language_prints_indonesian() -> None:
    assert _texts(queue_receipt(queue_ticket(0), context("jv"))) == _texts(
        queue_receipt(queue_ticket(0), context("id"))
    )


def test_every_contract_code_has_a_name() -> None:
    assert set(COMPLAINT_CATEGORIES) == set(services.COMPLAINT_CATEGORIES)
    assert set(COMPLAINT_STATUSES) == set(services.COMPLAINT_STATUSES)
    assert set(COUNTERS) == set(services.QUEUE_COUNTERS)
    assert set(OFFICES) == set(OfficeKind)


def test_office_kind_shapes_the_heading() -> None:
    office = context("id").office.model_copy(update={"kind": OfficeKind.KELURAHAN})
    texts = _texts(queue_receipt(queue_ticket(), context("id", office=office)))
    assert texts[0] == "KANTOR KELURAHAN BLIMBINGSARI"


def test_centre_text_with_an_empty_half_falls_back() -> None:
    half = LocalizedText(id="Surat Domisili", en="")
    ctx = context("en")
    submission = LetterRequestCreate(local_ref=LOCAL_REF, service_id="domisili", submitted_at=NOW)
    assert "Surat Domisili" in _texts(queued_receipt(submission, ctx, subject=half))


def test_the_on_screen_qr_is_the_printed_one() -> None:
    """When the printer cannot print, the screen shows the QR the receipt would have carried."""
    from kiosk.session.flows import LetterSubmission
    from kiosk.session.receipting import SessionReceipts
    from tests.receipts.conftest import OFFICE

    receipts = SessionReceipts(
        office=OFFICE,
        kiosk_id="KSK-TEST",
        now=lambda: NOW,
        tracking_url="https://desa.example.id/lacak/{code}",
    )
    ticket = queue_ticket()
    assert receipts.qr_payload(ticket) == (
        f"https://desa.example.id/lacak/{queue_code(ticket)}?kantor={OFFICE.id}"
    )
    assert receipts.qr_payload(letter_request()) == "https://desa.example.id/lacak/K7QF-2M9A"
    ref = new_local_ref()
    slip = LetterSubmission(
        local_ref=ref,
        payload=LetterRequestCreate(local_ref=ref, service_id="sktm", submitted_at=NOW),
    )
    assert receipts.qr_payload(slip) == f"https://desa.example.id/lacak/{ref}?kantor={OFFICE.id}"
