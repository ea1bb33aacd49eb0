"""The .po reader/writer and the in-memory .mo compiler, checked against GNU msgfmt's output."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest

from kiosk.i18n.po import PoError, compile_mo, format_po, parse_po, read_po

pytestmark = pytest.mark.in_process

DATA = Path(__file__).parent / "data"


def test_compiles_byte_for_byte_like_gnu_msgfmt() -> None:
    """sample.mo is GNU msgfmt 0.21 output (--no-hash); the stdlib reads either the same."""
    assert compile_mo(read_po(DATA / "sample.po")) == (DATA / "sample.mo").read_bytes()


def test_compiled_catalog_reads_back_through_the_stdlib() -> None:
    catalog = gettext.GNUTranslations(io.BytesIO(compile_mo(read_po(DATA / "sample.po"))))
    assert catalog.gettext("Keep this receipt.") == "Simpan struk ini."
    assert catalog.ngettext("{n} person ahead of you", "{n} people ahead of you", 1) == (
        "{n} orang di depan Anda"
    )
    assert catalog.ngettext("{n} person ahead of you", "{n} people ahead of you", 2) == (
        "{n} orang di depan Anda (banyak)"
    )
    assert catalog.pgettext("menu", "Open") == "Buka"
    assert catalog.gettext("Open") == "Terbuka"
    assert catalog.gettext("Tanggal – Bahasa é ü") == "Tanggal – Bahasa é ü ✓"
    long_id = 'A long message that continues "quoted"\nand escapes\ttabs \\ backslashes'
    assert (
        catalog.gettext(long_id)
        == 'Pesan panjang yang berlanjut "dikutip"\ndan tab\t\\ garis miring'
    )
    # Fuzzy, untranslated and obsolete entries fall back to the source text.
    assert catalog.gettext("Not reviewed") == "Not reviewed"
    assert catalog.gettext("Not translated") == "Not translated"
    assert catalog.gettext("Obsolete") == "Obsolete"


def test_reader_keeps_flags_comments_and_header() -> None:
    catalog = read_po(DATA / "sample.po")
    assert catalog.plural_count == 2
    assert catalog.header["Content-Type"] == "text/plain; charset=UTF-8"
    by_id = {(entry.context, entry.msgid): entry for entry in catalog.entries}
    assert by_id[(None, "Not reviewed")].fuzzy
    assert not by_id[(None, "Not reviewed")].translated
    assert not by_id[(None, "Not translated")].translated
    assert by_id[(None, "Keep this receipt.")].comments == [
        "#. a translator note",
        "#: kiosk/receipts/builders.py",
    ]
    assert (None, "Obsolete") not in by_id


def test_written_catalog_reads_back_the_same() -> None:
    catalog = read_po(DATA / "sample.po")
    again = parse_po(format_po(catalog))
    assert again.header == catalog.header
    assert again.entries == catalog.entries
    assert compile_mo(again) == compile_mo(catalog)


def test_plural_count_defaults_to_two_like_gettext_without_a_header() -> None:
    assert parse_po('msgid "a"\nmsgstr "b"\n').plural_count == 2
    assert parse_po('msgid ""\nmsgstr "Plural-Forms: nplurals=1; plural=0;\\n"\n').plural_count == 1


@pytest.mark.parametrize(
    ("text", "line", "complaint"),
    [
        ('msgid "a"\nmsgstr "b\\q"\n', 2, "unknown escape"),
        ('"stray"\n', 1, "nothing to continue"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[1] "x"\n', 3, "out of order"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate msgid"),
        ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 1, "has no msgstr"),
        ('msgid "a"\nmsgstr "b"\nbogus\n', 3, "cannot read"),
        ('msgid a\nmsgstr "b"\n', 1, "cannot read"),
        ('msgid "a"\nmsgstr "b"c"\n', 2, "unescaped quote"),
        ('msgstr "b"\n', 1, "before msgid"),
        ('msgid "a"\nmsgstr[0] "x"\nmsgstr[1] "y"\n', 1, "without a msgid_plural"),
        ('msgid "a"\nmsgid "b"\nmsgstr "c"\n', 2, "given twice"),
    ],
)
def test_malformed_catalog_names_file_and_line(text: str, line: int, complaint: str) -> None:
    with pytest.raises(PoError, match=rf"^broken\.po:{line}: .*{complaint}"):
        parse_po(text, "broken.po")


def test_unreadable_file_is_a_po_error(tmp_path: Path) -> None:
    (tmp_path / "latin1.po").write_bytes(b'msgid "a"\nmsgstr "\xe9"\n')
    with pytest.raises(PoError, match=r"latin1\.po: cannot read"):
        read_po(tmp_path / "latin1.po")
    with pytest.raises(PoError, match=r"missing\.po: cannot read"):
        read_po(tmp_path / "missing.po")
