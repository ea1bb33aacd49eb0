"""Translators: language choice and fallback, named fields, plurals, bilingual texts."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from central.contract.models import LocalizedText
from common.nik import RULE_MESSAGES, NikRule
from kiosk.i18n import CatalogError, localized, normalize_language, translator
from kiosk.i18n.translator import build_translator, catalog_path

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("id", "id"),
        ("en", "en"),
        ("EN", "en"),
        ("en_US.UTF-8", "en"),
        ("en-GB", "en"),
        ("id-ID", "id"),
        ("in", "id"),  # Java's old code for Indonesian
        ("eng", "en"),
        ("jv", "id"),  # Javanese: not offered, the default it is
        ("fr", "id"),
        ("", "id"),
        (None, "id"),
    ],
)
def test_language_codes_normalise_with_indonesian_fallback(code: str | None, language: str) -> None:
    assert normalize_language(code) == language
    assert translator(code).language == language


def test_unknown_language_gets_the_indonesian_translator() -> None:
    assert translator("xx") is translator("id")
    assert translator("xx")("Keep this receipt.") == "Simpan struk ini."


def test_named_fields_are_filled_after_translation() -> None:
    assert translator("id")("Kiosk {kiosk_id}", kiosk_id="K-7") == "Anjungan K-7"
    assert translator("en")("Kiosk {kiosk_id}", kiosk_id="K-7") == "Kiosk K-7"


@pytest.mark.parametrize(("n", "indonesian", "english"), [
    (1, "1 orang di depan Anda", "1 person ahead of you"),
    (2, "2 orang di depan Anda", "2 people ahead of you"),
    (0, "0 orang di depan Anda", "0 people ahead of you"),
])  # fmt: skip
def test_plural_forms_per_language(n: int, indonesian: str, english: str) -> None:
    args = ("{n} person ahead of you", "{n} people ahead of you", n)
    assert translator("id").plural(*args) == indonesian
    assert translator("en").plural(*args) == english
    assert translator("en").ngettext(*args) == english.replace(str(n), "{n}", 1)


def test_raw_lookups_leave_braces_alone() -> None:
    assert translator("id").gettext("Kiosk {kiosk_id}") == "Anjungan {kiosk_id}"
    assert translator("id").gettext("Not in any catalog") == "Not in any catalog"


def test_a_missing_field_is_the_callers_bug_and_raises() -> None:
    with pytest.raises(KeyError, match="kiosk_id"):
        translator("en")("Kiosk {kiosk_id}")


def _locale_copy(tmp_path: Path) -> Path:
    root = tmp_path / "locale"
    for language in ("id", "en"):
        target = catalog_path(language, root)
        target.parent.mkdir(parents=True)
        shutil.copy(catalog_path(language), target)
    return root


def test_a_bad_translation_falls_back_to_the_source_and_logs_no_values(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = _locale_copy(tmp_path)
    path = catalog_path("id", root)
    path.write_text(path.read_text().replace('"Anjungan {kiosk_id}"', '"Anjungan {id_kiosk}"'))
    broken = build_translator("id", root)
    with caplog.at_level(logging.WARNING, logger="common.i18n.translator"):
        assert broken("Kiosk {kiosk_id}", kiosk_id="3510SECRET") == "Kiosk 3510SECRET"
    assert "Kiosk {kiosk_id}" in caplog.text
    assert "3510SECRET" not in caplog.text


def test_catalog_without_utf8_header_or_file_is_a_catalog_error(tmp_path: Path) -> None:
    root = _locale_copy(tmp_path)
    path = catalog_path("en", root)
    path.write_text(path.read_text().replace("charset=UTF-8", "charset=ISO-8859-1"))
    with pytest.raises(CatalogError, match="charset=UTF-8"):
        build_translator("en", root)
    path.unlink()
    with pytest.raises(CatalogError, match="cannot read"):
        build_translator("en", root)


@dataclass(frozen=True)
class GuidanceRow:
    """The shape of the capture guidance table's rows: any object with ``id`` and ``en``."""

    id: str
    en: str


def test_localized_picks_the_sessions_half() -> None:
    error = LocalizedText(id="PIN salah.", en="Wrong PIN.")
    assert (localized(error, "id"), localized(error, "en"), localized(error, "xx")) == (
        "PIN salah.",
        "Wrong PIN.",
        "PIN salah.",
    )
    hint = GuidanceRow(id="Dekatkan kertas", en="Move the paper closer")
    assert localized(hint, "en") == "Move the paper closer"
    indonesian, english = RULE_MESSAGES[NikRule.FORMAT]
    assert localized(RULE_MESSAGES[NikRule.FORMAT], "en") == english
    assert localized(RULE_MESSAGES[NikRule.FORMAT], "id") == indonesian


def test_localized_falls_back_to_the_other_half_when_one_is_empty() -> None:
    assert localized(LocalizedText(id="Hanya Indonesia", en=""), "en") == "Hanya Indonesia"
    assert localized(("", "English only"), "id") == "English only"
