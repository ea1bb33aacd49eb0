"""The kiosk's translators: one per language, built from its shipped catalogs on first use.

The machinery is shared with the centre's console (``common.i18n.translator``); this module
names the kiosk's catalogs (``kiosk/i18n/locale``, domain ``anjungan``) and keeps the names the
kiosk has always imported from here. A session holds the translator of the language the
resident chose and swaps it when they tap the other flag.
"""

from __future__ import annotations

from pathlib import Path

from common.i18n.po import PoCatalog
from common.i18n.translator import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    Bilingual,
    CatalogError,
    CatalogSet,
    Language,
    Translator,
    localized,
    normalize_language,
    translations_from,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "Bilingual",
    "CatalogError",
    "Language",
    "Translator",
    "build_translator",
    "catalog_path",
    "load_catalog",
    "localized",
    "normalize_language",
    "translations_from",
    "translator",
]

DOMAIN = "anjungan"
CATALOGS = CatalogSet("kiosk.i18n", DOMAIN)


def catalog_path(language: Language, root: Path | None = None) -> Path:
    """Where a language's ``.po`` file lives (in the installed package unless ``root``)."""
    return CATALOGS.path(language, root)


def load_catalog(language: Language, root: Path | None = None) -> PoCatalog:
    return CATALOGS.load(language, root)


def build_translator(language: Language, root: Path | None = None) -> Translator:
    return CATALOGS.build(language, root)


def translator(language: str | None = None) -> Translator:
    """The shared translator for ``language`` (normalised; ``None`` or unknown → Indonesian).

    Catalogs compile on first use, not at import, and are kept: translators are immutable.
    """
    return CATALOGS.for_language(language)
