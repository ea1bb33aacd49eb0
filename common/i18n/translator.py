"""Translators over GNU gettext catalogs, shared by the kiosk and the centre's console.

Nothing is installed globally (``gettext.install``): two readers' texts (a resident's screen
and a receipt in the office default; two operators in one console process) can be in
different languages at the same moment, so each holds the translator of its own language.
Each room keeps its own catalogs (``kiosk/i18n/locale``, ``central/console/locale``) and says
where they are through a ``CatalogSet``.
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol, get_args

from common.i18n.po import PoCatalog, PoError, compile_mo, read_po

log = logging.getLogger(__name__)

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "id"

_ALIASES: dict[str, Language] = {"in": "id", "ind": "id", "eng": "en"}
"""``in`` is Java's old code for Indonesian; ``ind``/``eng`` are the ISO 639-2 codes."""


class CatalogError(RuntimeError):
    """A shipped catalog is missing or unreadable: a packaging bug, reported at first use."""


def normalize_language(code: str | None) -> Language:
    """``"en_US.UTF-8"``, ``"EN"``, ``"id-ID"`` → a supported language; anything else → ``id``.

    The audience reads Indonesian, so an unknown or empty code (a stale config, a browser's
    ``Accept-Language`` on the console) falls back to it rather than failing.
    """
    base = (code or "").strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    if base in LANGUAGES:
        return base
    return _ALIASES.get(base, DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for translation where it is defined (import time) without translating it.

    The text is translated later, when shown: ``t(TITLE)`` with the reader's translator.
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


def translations_from(catalog: PoCatalog) -> gettext.GNUTranslations:
    """Compile in memory and hand the bytes to the stdlib reader."""
    charset = catalog.header.get("Content-Type", "").lower()
    if "charset=utf-8" not in charset.replace(" ", ""):
        raise CatalogError(f"{catalog.source}: the header must declare charset=UTF-8")
    return gettext.GNUTranslations(io.BytesIO(compile_mo(catalog)))


class CatalogSet:
    """One room's catalogs: ``<package>/locale/<lang>/LC_MESSAGES/<domain>.po``.

    Translators compile on first use, not at import, and are kept: they are immutable.
    """

    def __init__(self, package: str, domain: str) -> None:
        self.package = package
        self.domain = domain
        self._cached = functools.cache(self._build)

    def path(self, language: Language, root: Path | None = None) -> Path:
        """Where a language's ``.po`` file lives (in the installed package unless ``root``)."""
        base = root if root is not None else Path(str(resources.files(self.package) / "locale"))
        return base / language / "LC_MESSAGES" / f"{self.domain}.po"

    def load(self, language: Language, root: Path | None = None) -> PoCatalog:
        try:
            return read_po(self.path(language, root))
        except PoError as err:
            raise CatalogError(str(err)) from err

    def all(self, root: Path | None = None) -> dict[Language, PoCatalog]:
        return {language: self.load(language, root) for language in LANGUAGES}

    def build(self, language: Language, root: Path | None = None) -> Translator:
        return Translator(language, translations_from(self.load(language, root)))

    def _build(self, language: Language) -> Translator:
        return self.build(language)

    def for_language(self, code: str | None) -> Translator:
        """The shared translator for ``code`` (normalised; ``None`` or unknown → Indonesian)."""
        translator: Translator = self._cached(normalize_language(code))
        return translator
