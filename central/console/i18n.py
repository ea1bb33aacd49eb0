"""The console's words in Indonesian (first) and English, from its own gettext catalog.

Same format and same checks as the kiosk's (``common.i18n``): templates and console code
mark text with ``_("...")``; ``tests/console/test_catalog.py`` fails on a message missing,
untranslated, stale or with the wrong placeholders, as the kiosk's catalog test does.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from common.i18n.check import add_missing, check
from common.i18n.extract import Extraction, extract
from common.i18n.po import format_po
from common.i18n.translator import CatalogSet, Language, Translator, normalize_language

CATALOGS = CatalogSet("central.console", "console")
LANGUAGE_COOKIE = "console_lang"
PACKAGE_DIR = Path(__file__).resolve().parent

# ``_("text")`` or ``_('text')`` in a template, with or without ``, field=value`` after it.
_TEMPLATE_MARKER = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def language_of(cookie: str | None) -> Language:
    """The reader's chosen language; Indonesian until they choose."""
    return normalize_language(cookie)


def translator(language: str | None) -> Translator:
    return CATALOGS.for_language(language)


def extract_templates(root: Path, out: Extraction, relative_to: Path) -> None:
    """Every ``_("...")`` in the templates (a template is not Python, so not ``ast``)."""
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in _TEMPLATE_MARKER.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.relative_to(relative_to)}:{line}"
            out.add(ast.literal_eval(match.group(1)), None, where)


def scan(package_dir: Path = PACKAGE_DIR) -> Extraction:
    """The console's messages: its Python code and its templates."""
    relative_to = package_dir.parent.parent
    found = extract([package_dir], relative_to=relative_to)
    extract_templates(package_dir / "templates", found, relative_to)
    return found


def update_catalogs(locale_root: Path | None = None) -> list[str]:
    """Appends an empty entry to both catalogs for each new message and returns what is
    still wrong (the catalog test's list): ``python -m central.console.i18n``."""
    found = scan()
    for language, catalog in CATALOGS.all(locale_root).items():
        if add_missing(found, catalog):
            CATALOGS.path(language, locale_root).write_text(format_po(catalog), encoding="utf-8")
    return [str(problem) for problem in check(found, CATALOGS.all(locale_root))]


if __name__ == "__main__":
    problems = update_catalogs()
    sys.stdout.write(("\n".join(problems) or "console catalogs complete") + "\n")
    raise SystemExit(1 if problems else 0)
