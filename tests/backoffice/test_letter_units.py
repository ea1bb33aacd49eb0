"""In-process checks of the letter's parts: every seeded letter type has its own template and
renders a PDF whose QR decodes to its verify URL; text outside the core fonts is folded, not
refused; numbers print as code/sequence/office/year; every kind of record in the retention
policy has its enforcer (or is named as still waiting for one)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pikepdf
import pytest

from central.backoffice import letter_pdf
from central.backoffice.letter_templates import TEMPLATES, template_for
from central.backoffice.numbers import letter_number
from central.privacy import policy, retention
from central.seeding.seed_services import SERVICES
from central.services.document_check import check_pdf
from tests.backoffice.helpers import pdf_text, qr_texts

pytestmark = pytest.mark.in_process

LETTER_TYPES = [s["id"] for s in SERVICES if s["kind"] == "letter"]


def _content(title: str, **changes: object) -> letter_pdf.LetterContent:
    values: dict[str, object] = {
        "kop": letter_pdf.Kop("Kabupaten Banyuwangi", "Pesanggaran", "desa", "Sarongan"),
        "title": title,
        "number": "470/012/35.10.01.2001/2026",
        "particulars": [("Nama", "SITI AMINAH"), ("NIK", "3510014101900001")],
        "answers": [("Nama usaha", "Warung Bu Siti")],
        "statement": "adalah benar warga kami.",
        "closing": "Demikian surat ini dibuat.",
        "place": "Sarongan",
        "issued_on": date(2026, 12, 4),
        "signer_position": "Kepala Desa",
        "signer_name": "H. Sugeng Riyadi",
        "verify_url": "https://pusat.example.go.id/verify/ABCDEFGHJK",
        "verify_code": "ABCDEFGHJK",
        "issued_at": datetime(2026, 12, 4, 2, 0, tzinfo=UTC),
    }
    values.update(changes)
    return letter_pdf.LetterContent(**values)  # type: ignore[arg-type]


def test_every_seeded_letter_type_has_its_own_template() -> None:
    assert LETTER_TYPES and set(LETTER_TYPES) <= set(TEMPLATES)


@pytest.mark.parametrize("service_id", LETTER_TYPES)
def test_each_letter_type_renders_a_clean_pdf_with_a_readable_qr(service_id: str) -> None:
    template = TEMPLATES[service_id]
    pdf = letter_pdf.render(_content(template.title, statement=template.statement))
    check_pdf(pdf)  # what an upload must pass: real structure, no scripts
    with pikepdf.open(io.BytesIO(pdf)) as parsed:
        assert len(parsed.pages) == 1
    assert template.title in pdf_text(pdf)
    assert qr_texts(pdf) == ["https://pusat.example.go.id/verify/ABCDEFGHJK"]


def test_same_content_same_bytes() -> None:
    assert letter_pdf.render(_content("SURAT")) == letter_pdf.render(_content("SURAT"))


def test_a_letter_type_without_a_template_is_titled_after_its_service() -> None:
    assert template_for("akta_kematian", "Surat Keterangan Kematian").title == (
        "SURAT KETERANGAN KEMATIAN"
    )


def test_text_outside_the_core_fonts_is_folded_not_refused() -> None:
    assert letter_pdf.printable("Désa “Ngadirejo” – Łukasz ✓") == "Désa “Ngadirejo” – ?ukasz ?"
    assert letter_pdf.printable("Ǹgurah") == "Ngurah"
    pdf = letter_pdf.render(_content("SURAT", signer_name="Ǹgurah Łukasz"))
    assert b"%PDF-" in pdf[:8]


def test_indonesian_dates_and_numbers() -> None:
    assert letter_pdf.indonesian_date(date(2026, 8, 17)) == "17 Agustus 2026"
    assert letter_number("474.1", 7, "35.10.01.2001", 2026) == "474.1/007/35.10.01.2001/2026"
    assert letter_number("401", 1234, "35.10.01.2001", 2026) == "401/1234/35.10.01.2001/2026"


def test_every_kind_in_the_policy_is_enforced_or_named_as_waiting() -> None:
    kinds = {rule.kind for rule in policy.POLICY}
    assert kinds == set(policy.RecordKind)
    assert set(retention.ENFORCERS) | retention.NOT_YET_ENFORCED == kinds
    assert not set(retention.ENFORCERS) & retention.NOT_YET_ENFORCED
