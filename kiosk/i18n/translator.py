"""Translators: one per language, built from the shipped catalogs on first use.

A session holds the translator of the language the resident chose and swaps it when they tap
the other flag; nothing is installed globally (``gettext.install``), because two sessions'
texts (the resident's screen and, say, a receipt reprinted in the office default) can be in
different languages at the same moment.
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol, get_args

from kiosk.i18n.po import PoCatalog, PoError, compile_mo, read_po

log = logging.getLogger(__name__)

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "id"
DOMAIN = "anjungan"

_ALIASES: dict[str, Language] = {"in": "id", "ind": "id", "eng": "en"}
"""``in`` is Java's old code for Indonesian; ``ind``/``eng`` are the ISO 639-2 codes."""


class CatalogError(RuntimeError):
    """A shipped catalog is missing or unreadable: a packaging bug, reported at first use."""


def normalize_language(code: str | None) -> Language:
    """``"en_US.UTF-8"``, ``"EN"``, ``"id-ID"`` → a supported language; anything else → ``id``.

    The kiosk's audience reads Indonesian, so an unknown or empty code (a stale config, a
    browser's ``Accept-Language`` on the dashboard) falls back to it rather than failing.
    """
    base = (code or "").strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    if base in LANGUAGES:
        return base
    return _ALIASES.get(base, DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for translation where it is defined (import time) without translating it.

    The text is translated later, when shown: ``t(TITLE)`` with the session's translator.
    """
    return message


class Translator:
    """gettext lookups plus ``str.format`` with named fields, for one language.

    ``t("Sisa {n} detik", n=5)`` translates, then fills the fields. ``gettext``/``ngettext`` are
    the raw stdlib lookups. If a translation's placeholders do not match its msgid (the catalog
    test stops that before release), the source text is used instead of failing the screen.
    """

    def __init__(self, language: Language, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def __call__(self, message: str, /, **fields: object) -> str:
        """Translate ``message`` and fill its ``{placeholders}`` from ``fields``."""
        return self._fill(self.gettext(message), message, fields)

    def plural(self, singular: str, plural: str, n: int, /, **fields: object) -> str:
        """The form of ``singular``/``plural`` for ``n`` (Indonesian has one), filled; ``{n}``
        is available without passing it."""
        source = singular if n == 1 else plural
        return self._fill(self.ngettext(singular, plural, n), source, {"n": n, **fields})

    def _fill(self, translated: str, source: str, fields: dict[str, object]) -> str:
        try:
            return translated.format_map(fields)
        except (KeyError, IndexError, ValueError, AttributeError):
            if translated == source:
                raise
            # Values may be personal data: name the message, never what was filled in.
            log.warning("i18n: bad placeholders in the %s translation of %r", self.language, source)
            return source.format_map(fields)


class Bilingual(Protocol):
    """A text that comes with both halves: the centre's ``LocalizedText``, or a table's row."""

    @property
    def id(self) -> str: ...

    @property
    def en(self) -> str: ...


def localized(text: Bilingual | tuple[str, str], language: str) -> str:
    """The half of a bilingual text for ``language`` (unknown → Indonesian).

    Texts that arrive already translated (the centre's error messages and catalog labels,
    capture guidance tables, ``(id, en)`` tuples in the contract) need no gettext catalog;
    an empty half falls back to the other one rather than showing a blank.
    """
    halves = text if isinstance(text, tuple) else (text.id, text.en)
    first, second = halves if normalize_language(language) == "id" else halves[::-1]
    return first or second


def catalog_path(language: Language, root: Path | None = None) -> Path:
    """Where a language's ``.po`` file lives (in the installed package unless ``root``)."""
    base = root if root is not None else Path(str(resources.files("kiosk.i18n") / "locale"))
    return base / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(language: Language, root: Path | None = None) -> PoCatalog:
    try:
        return read_po(catalog_path(language, root))
    except PoError as err:
        raise CatalogError(str(err)) from err


def translations_from(catalog: PoCatalog) -> gettext.GNUTranslations:
    """Compile in memory and hand the bytes to the stdlib reader."""
    charset = catalog.header.get("Content-Type", "").lower()
    if "charset=utf-8" not in charset.replace(" ", ""):
        raise CatalogError(f"{catalog.source}: the header must declare charset=UTF-8")
    return gettext.GNUTranslations(io.BytesIO(compile_mo(catalog)))


def build_translator(language: Language, root: Path | None = None) -> Translator:
    return Translator(language, translations_from(load_catalog(language, root)))


def translator(language: str | None = None) -> Translator:
    """The shared translator for ``language`` (normalised; ``None`` or unknown → Indonesian).

    Catalogs compile on first use, not at import, and are kept: translators are immutable.
    """
    return _shared(normalize_language(language))


@functools.cache
def _shared(language: Language) -> Translator:
    return build_translator(language)
