"""The console's catalog is checked as the kiosk's is (common.i18n): every marked message in
central/console (Python and templates) is translated in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from central.console.i18n import CATALOGS, scan, translator, update_catalogs
from common.i18n.check import check

pytestmark = pytest.mark.in_process


def test_every_console_message_is_translated_in_both_catalogs() -> None:
    problems = check(scan(), CATALOGS.all())
    assert not problems, "run `python -m central.console.i18n`, then translate:\n" + "\n".join(
        map(str, problems)
    )


def test_the_scan_reads_templates_and_code() -> None:
    messages = scan().messages
    assert ("Sign in", None) in messages  # templates/login.html
    assert ("This page is not open to your role.", None) in messages  # session.py
    assert translator("id")("Sign in") == "Masuk"
    assert translator("en")("Sign in") == "Sign in"
    assert translator("fr").language == "id"  # Indonesian when unsure


@pytest.fixture
def locale(tmp_path: Path) -> Path:
    root = tmp_path / "locale"
    for language in ("id", "en"):
        target = CATALOGS.path(language, root)
        target.parent.mkdir(parents=True)
        shutil.copy(CATALOGS.path(language), target)
    return root


def test_a_missing_translation_is_caught_and_update_adds_its_entry(locale: Path) -> None:
    path = CATALOGS.path("id", locale)
    text = path.read_text()
    path.write_text(text.replace('msgid "Sign out"\nmsgstr "Keluar"\n', ""))
    problems = update_catalogs(locale)
    assert problems == ["untranslated: [id] 'Sign out'"]
    assert 'msgid "Sign out"\nmsgstr ""' in path.read_text()
