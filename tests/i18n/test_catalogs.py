"""Every user-facing string in the code has a checked translation in both catalogs.

The first test is the gate: it reads kiosk/ and screens/ (AST, nothing is run), collects
every marked message and fails on one that is missing, untranslated, fuzzy, stale or whose
placeholders differ from the msgid's. The others prove each kind of fault is caught.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.i18n.check import Problem, add_missing, check
from kiosk.i18n.cli import SCANNED, SOURCE_ROOT, catalogs, scan
from kiosk.i18n.extract import extract_source
from kiosk.i18n.po import format_po, read_po
from kiosk.i18n.translator import catalog_path

pytestmark = pytest.mark.in_process

ROOT = Path(__file__).resolve().parents[2]


def test_every_marked_string_is_translated_in_both_catalogs() -> None:
    problems = check(scan(ROOT), catalogs())
    assert not problems, "fix with `kiosk i18n update`, then translate:\n" + "\n".join(
        map(str, problems)
    )


def test_the_scan_reads_this_source_tree_and_finds_the_receipts() -> None:
    assert SOURCE_ROOT == ROOT
    assert SCANNED == ("kiosk", "screens")
    messages = scan(ROOT).messages
    assert ("Keep this receipt.", None) in messages
    assert ("{n} person ahead of you", "{n} people ahead of you") in messages
    assert ("January", None) in messages  # N_-marked at import time


# ---------------------------------------------------------------- faults in a catalog


@pytest.fixture
def locale(tmp_path: Path) -> Path:
    """A copy of the shipped catalogs to break."""
    root = tmp_path / "locale"
    for language in ("id", "en"):
        target = catalog_path(language, root)
        target.parent.mkdir(parents=True)
        shutil.copy(catalog_path(language), target)
    return root


def _edit(locale: Path, language: str, old: str, new: str) -> None:
    path = catalog_path(language, locale)  # type: ignore[arg-type]
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _new_problems(locale: Path) -> list[Problem]:
    """What breaking the copy added, compared with the shipped catalogs against the same code
    (so messages other engineers are adding to the work tree right now do not interfere)."""
    code = scan(ROOT)
    before = set(check(code, catalogs()))
    return [problem for problem in check(code, catalogs(locale)) if problem not in before]


def test_placeholder_mismatch_is_caught(locale: Path) -> None:
    _edit(locale, "id", 'msgstr "Anjungan {kiosk_id}"', 'msgstr "Anjungan {id_anjungan}"')
    problems = _new_problems(locale)
    assert [(p.kind, p.language, p.msgid) for p in problems] == [
        ("placeholder mismatch", "id", "Kiosk {kiosk_id}")
    ]
    assert "id_anjungan" in problems[0].detail


def test_plural_placeholders_may_drop_n_but_nothing_else(locale: Path) -> None:
    _edit(locale, "en", 'msgstr[0] "{n} person ahead of you"', 'msgstr[0] "One person ahead"')
    assert _new_problems(locale) == []
    _edit(locale, "en", 'msgstr[1] "{n} people ahead of you"', 'msgstr[1] "{n} people {when}"')
    kinds = [(p.kind, p.language) for p in _new_problems(locale)]
    assert kinds == [("placeholder mismatch", "en")]


def test_positional_placeholder_is_caught(locale: Path) -> None:
    _edit(locale, "en", 'msgstr "Kiosk {kiosk_id}"', 'msgstr "Kiosk {0}"')
    kinds = [(p.kind, p.language) for p in _new_problems(locale)]
    assert kinds == [("bad placeholder", "en")]


def test_missing_stale_untranslated_and_fuzzy_are_caught(locale: Path) -> None:
    _edit(locale, "id", 'msgid "Keep this receipt."', 'msgid "Keep this receipt!"')
    _edit(locale, "en", 'msgstr "Tracking code"', 'msgstr ""')
    _edit(locale, "en", '\nmsgid "Date"', '\n#, fuzzy\nmsgid "Date"')
    found = {(p.kind, p.language, p.msgid) for p in _new_problems(locale)}
    assert found == {
        ("missing", "id", "Keep this receipt."),
        ("stale", "id", "Keep this receipt!"),
        ("untranslated", "en", "Tracking code"),
        ("fuzzy", "en", "Date"),
    }


def test_wrong_number_of_plural_forms_is_caught(locale: Path) -> None:
    _edit(
        locale,
        "id",
        'msgstr[0] "{n} orang di depan Anda"',
        'msgstr[0] "{n} orang di depan Anda"\nmsgstr[1] "{n} orang-orang di depan Anda"',
    )
    kinds = [(p.kind, p.language) for p in _new_problems(locale)]
    assert kinds == [("plural forms", "id")]


# ---------------------------------------------------------------- faults in the code


def _extract(source: str) -> tuple[set[tuple[str, str | None]], list[str]]:
    found = extract_source(source, "mod.py")
    return set(found.messages), found.problems


def test_markers_with_any_receiver_are_found() -> None:
    messages, problems = _extract(
        "TITLE = N_('Queue number')\n"
        "def show(self, t, session, n):\n"
        "    t('Keep this receipt.')\n"
        "    self.t('Kiosk {kiosk_id}', kiosk_id=1)\n"
        "    session.translator.gettext('Date')\n"
        "    t.plural('{n} person ahead of you', '{n} people ahead of you', n)\n"
        "    bilingual('Signing in {what}', what=1)\n"
        "    t(TITLE)\n"
        "    print('not a message')\n"
    )
    assert problems == []
    assert messages == {
        ("Queue number", None),
        ("Keep this receipt.", None),
        ("Kiosk {kiosk_id}", None),
        ("Date", None),
        ("{n} person ahead of you", "{n} people ahead of you"),
        ("Signing in {what}", None),
    }


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        ("t(f'Hello {name}')", "fixed string"),
        ("t('Hello ' + name)", "fixed string"),
        ("t('Hello %s' % name)", "fixed string"),
        ("t('Hello {}'.format(name))", "fixed string"),
        ("t('Hello {name}', nama=1)", "fields ['nama'] passed"),
        ("t('Hello {name}')", "fields [] passed"),
        ("t.plural('{n} day', '{n} days', n, extra=1)", "fields ['extra', 'n'] passed"),
        ("t('Hello {0}', x=1)", "named placeholder"),
        ("def broken(:\n", "cannot parse"),
    ],
)
def test_code_faults_are_reported_with_their_place(source: str, complaint: str) -> None:
    _, problems = _extract(source)
    assert len(problems) == 1
    assert problems[0].startswith("mod.py:")
    assert complaint in problems[0]


def test_spread_fields_cannot_be_checked_and_are_accepted() -> None:
    messages, problems = _extract("t('Hello {name}', **fields)")
    assert (messages, problems) == ({("Hello {name}", None)}, [])


# ---------------------------------------------------------------- the workflow


def _empty_catalogs(root: Path) -> None:
    for language, plural_forms in (
        ("id", "nplurals=1; plural=0;"),
        ("en", "nplurals=2; plural=(n != 1);"),
    ):
        path = catalog_path(language, root)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True)
        path.write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Plural-Forms: {plural_forms}\\n"\n'
        )


def test_update_adds_empty_entries_and_check_then_asks_for_translations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, locale = tmp_path / "src", tmp_path / "locale"
    (source / "kiosk").mkdir(parents=True)
    (source / "kiosk" / "welcome.py").write_text(
        "def f(t, n):\n    return t('Welcome!'), t.plural('{n} letter', '{n} letters', n)\n"
    )
    _empty_catalogs(locale)
    args = ["i18n", "--source", str(source), "--locale", str(locale)]

    assert main([*args, "check"]) == 1
    assert "missing: [id] 'Welcome!': kiosk/welcome.py:2" in capsys.readouterr().out
    assert main([*args, "update"]) == 1
    out = capsys.readouterr().out
    assert "id: 2 new entries to translate" in out
    assert "untranslated: [id] 'Welcome!'" in out
    entries = read_po(catalog_path("en", locale)).entries
    assert [(e.msgid, e.msgstr, e.comments) for e in entries] == [
        ("Welcome!", [""], ["#: kiosk/welcome.py"]),
        ("{n} letter", ["", ""], ["#: kiosk/welcome.py"]),
    ]

    _edit(locale, "id", 'msgid "Welcome!"\nmsgstr ""', 'msgid "Welcome!"\nmsgstr "Selamat datang!"')
    _edit(locale, "en", 'msgid "Welcome!"\nmsgstr ""', 'msgid "Welcome!"\nmsgstr "Welcome!"')
    _edit(locale, "id", 'msgstr[0] ""', 'msgstr[0] "{n} surat"')
    _edit(
        locale,
        "en",
        'msgstr[0] ""\nmsgstr[1] ""',
        'msgstr[0] "{n} letter"\nmsgstr[1] "{n} letters"',
    )
    assert main([*args, "check"]) == 0
    assert "catalogs complete" in capsys.readouterr().out
    assert main([*args, "update"]) == 0
    assert "id: 0 new entries" in capsys.readouterr().out


def test_broken_catalog_is_exit_2_with_its_line(
    locale: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalog_path("en", locale)
    path.write_text(path.read_text() + '\nmsgid "x"\nmsgstr "y\\q"\n')
    assert main(["i18n", "--locale", str(locale), "check"]) == 2
    assert "anjungan.po:" in capsys.readouterr().out


def test_add_missing_writes_one_slot_per_plural_form() -> None:
    found = extract_source("t.plural('{n} day', '{n} days', n)", "mod.py")
    english = read_po(catalog_path("en"))
    indonesian = read_po(catalog_path("id"))
    assert add_missing(found, english) == add_missing(found, indonesian) == 1
    assert english.entries[-1].msgstr == ["", ""]
    assert indonesian.entries[-1].msgstr == [""]
    assert "msgid_plural" in format_po(english)
