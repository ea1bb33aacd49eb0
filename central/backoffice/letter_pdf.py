"""The finished letter as an A4 PDF: kop surat, title and number, the resident's particulars
and answers, the statement, the signer, and a QR code that opens the public verify page.

Pure rendering from a ``LetterContent`` (no database), so the benchmark and the tests time and
check exactly what the back office produces. fpdf2's built-in Helvetica keeps a letter small
(no font embedded) and fast; its encoding is Windows-1252, which holds every Indonesian letter
(e-KTP names are plain Latin capitals). Anything outside it is folded to its base letter, or
'?' as a last resort, rather than refusing a letter.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import qrcode
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from common.wib import MONTHS_ID

SEX_ID = {"L": "Laki-laki", "P": "Perempuan"}
ENCODING = "windows-1252"

# Page geometry in millimetres (A4 portrait, the margins Indonesian offices use).
MARGIN_MM = 20
LINE_MM = 6
LABEL_WIDTH_MM = 55
QR_SIZE_MM = 28
SIGNATURE_SPACE_MM = 22
SIGNER_BLOCK_X_MM = 115
KOP_RULE_WIDTH_MM = 0.8


@dataclass(frozen=True)
class Kop:
    """The letterhead: the regency's government, the kecamatan, and the issuing office."""

    regency: str
    district: str
    office_kind: str
    office_name: str


@dataclass(frozen=True)
class LetterContent:
    kop: Kop
    title: str
    number: str
    particulars: list[tuple[str, str]]
    answers: list[tuple[str, str]]
    statement: str
    closing: str
    place: str
    issued_on: date
    signer_position: str
    signer_name: str
    verify_url: str
    verify_code: str
    issued_at: datetime


def indonesian_date(day: date) -> str:
    """'4 Desember 2026'."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def sex_label(code: str) -> str:
    return SEX_ID.get(code, code)


def printable(text: str) -> str:
    """``text`` in what the core fonts can draw: accents kept where Windows-1252 has them,
    other letters reduced to their base letter, anything else '?'."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            folded = "".join(c for c in base if not unicodedata.combining(c))
            try:
                folded.encode(ENCODING)
            except UnicodeEncodeError:
                folded = "?"
            out.append(folded or "?")
        else:
            out.append(char)
    return "".join(out)


def qr_image(url: str) -> Image.Image:
    """A PIL image of the verification QR (medium error correction: survives a fold)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image


class _LetterPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM)
        self.core_fonts_encoding = ENCODING

    def line_text(self, text: str, *, style: str = "", size: int = 11, align: str = "L") -> None:
        self.set_font("Helvetica", style, size)
        self.cell(0, LINE_MM, printable(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str) -> None:
        self.set_font("Helvetica", "", 11)
        self.multi_cell(0, LINE_MM, printable(text), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        self.set_font("Helvetica", "", 11)
        for label, value in rows:
            self.set_x(MARGIN_MM + 10)
            self.cell(LABEL_WIDTH_MM, LINE_MM, printable(label))
            self.cell(4, LINE_MM, ":")
            self.multi_cell(0, LINE_MM, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _kop(pdf: _LetterPdf, kop: Kop) -> None:
    pdf.line_text(f"PEMERINTAH {kop.regency.upper()}", style="B", size=13, align="C")
    pdf.line_text(f"KECAMATAN {kop.district.upper()}", style="B", size=13, align="C")
    pdf.line_text(
        f"{kop.office_kind.upper()} {kop.office_name.upper()}", style="B", size=15, align="C"
    )
    pdf.ln(2)
    pdf.set_line_width(KOP_RULE_WIDTH_MM)
    pdf.line(MARGIN_MM, pdf.get_y(), pdf.w - MARGIN_MM, pdf.get_y())
    pdf.ln(6)


def _signature(pdf: _LetterPdf, content: LetterContent) -> None:
    top = pdf.get_y() + 4
    pdf.image(qr_image(content.verify_url), x=MARGIN_MM, y=top, w=QR_SIZE_MM, h=QR_SIZE_MM)
    pdf.set_xy(MARGIN_MM, top + QR_SIZE_MM)
    pdf.set_font("Helvetica", "", 7)
    pdf.cell(60, 4, printable(f"Cek keaslian: {content.verify_code}"))
    pdf.set_xy(SIGNER_BLOCK_X_MM, top)
    pdf.set_font("Helvetica", "", 11)
    for text in (f"{content.place}, {indonesian_date(content.issued_on)}", content.signer_position):
        pdf.set_x(SIGNER_BLOCK_X_MM)
        pdf.multi_cell(0, LINE_MM, printable(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(SIGNER_BLOCK_X_MM, pdf.get_y() + SIGNATURE_SPACE_MM)
    pdf.set_font("Helvetica", "BU", 11)
    pdf.multi_cell(0, LINE_MM, printable(content.signer_name), align="C")


def render(content: LetterContent) -> bytes:
    """The letter's PDF bytes; the same content always gives the same bytes."""
    pdf = _LetterPdf()
    pdf.set_title(printable(f"{content.title} {content.number}"))
    pdf.set_creator("Anjungan")
    pdf.set_creation_date(content.issued_at)
    pdf.add_page()
    _kop(pdf, content.kop)
    pdf.line_text(content.title, style="BU", size=13, align="C")
    pdf.line_text(f"Nomor: {content.number}", align="C")
    pdf.ln(6)
    kop = content.kop
    pdf.paragraph(
        f"Yang bertanda tangan di bawah ini, {content.signer_position}, atas nama Pemerintah "
        f"{kop.office_kind.title()} {kop.office_name}, Kecamatan {kop.district}, {kop.regency}, "
        "menerangkan bahwa:"
    )
    pdf.ln(2)
    pdf.pairs(content.particulars)
    pdf.ln(2)
    pdf.paragraph(content.statement)
    if content.answers:
        pdf.ln(2)
        pdf.pairs(content.answers)
    pdf.ln(2)
    pdf.paragraph(content.closing)
    _signature(pdf, content)
    return bytes(pdf.output())
