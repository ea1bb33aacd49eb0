"""The public page's words, Indonesian and English side by side, and its date format.

The centre has no gettext catalogs of its own (the kiosk's live in ``kiosk/i18n``, which the
centre may not import), and this page has few words: a frozen table per language keeps each
wording next to its translation, and a test holds the two tables to the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from common.wib import MONTHS_ID, to_wib

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")


@dataclass(frozen=True)
class PageText:
    language_name: str
    switch_to: str
    site: str
    lookup_title: str
    lookup_intro: str
    code_label: str
    code_hint: str
    look_up: str
    status: str
    updated: str
    steps: str
    code: str
    no_personal_data: str
    not_found_title: str
    not_found_body: tuple[str, ...]
    too_many_title: str
    too_many_body: str
    kind_hints: dict[str, str]
    ready_hint: str
    footer: str
    months: tuple[str, ...]
    time_separator: str


TEXT: dict[Language, PageText] = {
    "id": PageText(
        language_name="Bahasa Indonesia",
        switch_to="English",
        site="Lacak layanan desa",
        lookup_title="Lacak permohonan",
        lookup_intro="Masukkan kode yang tercetak pada struk dari anjungan.",
        code_label="Kode pada struk",
        code_hint="Contoh: SKT-7K3M9Q",
        look_up="Lacak",
        status="Status",
        updated="Terakhir diperbarui",
        steps="Riwayat",
        code="Kode",
        no_personal_data="Halaman ini hanya menampilkan status dan tanggal, tanpa data pribadi.",
        not_found_title="Kode tidak ditemukan",
        not_found_body=(
            "Periksa lagi kode pada struk. Huruf O, I dan L serta angka 0 dan 1 tidak dipakai "
            "dalam kode.",
            "Struk \u201cbelum terkirim\u201d baru dapat dilacak setelah anjungan mengirimkan "
            "permohonan Anda. Coba lagi nanti.",
            "Nomor antrean hanya dapat dilacak lewat kode QR pada karcisnya.",
            "Jika tetap tidak ditemukan, tanyakan ke kantor desa/kelurahan dengan membawa struk.",
        ),
        too_many_title="Terlalu banyak permintaan",
        too_many_body="Terlalu banyak permintaan dari jaringan Anda. Coba lagi dalam {seconds} "
        "detik.",
        kind_hints={
            "letter": "Permohonan surat",
            "complaint": "Pengaduan",
            "bansos": "Permohonan bantuan sosial",
            "queue": "Nomor antrean",
        },
        ready_hint="Surat dapat diambil di kantor desa/kelurahan. Bawa struk dan e-KTP Anda.",
        footer="Layanan mandiri desa \u00b7 Anjungan",
        months=MONTHS_ID,
        time_separator=".",
    ),
    "en": PageText(
        language_name="English",
        switch_to="Bahasa Indonesia",
        site="Village services tracking",
        lookup_title="Track a request",
        lookup_intro="Enter the code printed on the receipt from the kiosk.",
        code_label="Code on the receipt",
        code_hint="For example: SKT-7K3M9Q",
        look_up="Track",
        status="Status",
        updated="Last updated",
        steps="History",
        code="Code",
        no_personal_data="This page shows only status and dates, no personal data.",
        not_found_title="Code not found",
        not_found_body=(
            "Check the code on the receipt again. Codes never use the letters O, I and L or "
            "the digits 0 and 1.",
            "A \u201cnot sent yet\u201d slip can be tracked only once the kiosk has sent your "
            "request. Try again later.",
            "A queue number can be tracked only through the QR code on its ticket.",
            "If it is still not found, ask at the village office and bring the receipt.",
        ),
        too_many_title="Too many requests",
        too_many_body="Too many requests from your network. Try again in {seconds} seconds.",
        kind_hints={
            "letter": "Letter request",
            "complaint": "Complaint",
            "bansos": "Social assistance application",
            "queue": "Queue number",
        },
        ready_hint="The letter can be collected at the village office. Bring the receipt and "
        "your e-KTP.",
        footer="Village self-service \u00b7 Anjungan",
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        time_separator=":",
    ),
}


def language_of(requested: str | None) -> Language:
    """Indonesian unless English is asked for (``?lang=en``)."""
    return "en" if requested == "en" else "id"


def format_when(moment: datetime, language: Language) -> str:
    """``4 Desember 2026, 14.05 WIB``: residents read the village's clock, not UTC."""
    local = to_wib(moment)
    text = TEXT[language]
    clock = f"{local.hour:02d}{text.time_separator}{local.minute:02d}"
    return f"{local.day} {text.months[local.month - 1]} {local.year}, {clock} WIB"
