"""Two languages for everything the resident reads: Bahasa Indonesia (default) and English.

Messages in the code are English source strings marked for gettext; translations live in
``locale/{id,en}/LC_MESSAGES/anjungan.po`` and are compiled in memory on first use. See
docs/i18n.md for the workflow (mark, ``kiosk i18n update``, translate, the test passes)::

    t = translator(session_language)
    t("{n} seconds left", n=5)          # "Sisa 5 detik"
    t.plural("{n} person ahead of you", "{n} people ahead of you", 3)
    localized(error_body.message, t.language)   # texts that arrive as {id, en}
"""

from kiosk.i18n.bilingual import bilingual
from kiosk.i18n.translator import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    Bilingual,
    CatalogError,
    Language,
    Translator,
    localized,
    normalize_language,
    translator,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "Bilingual",
    "CatalogError",
    "Language",
    "Translator",
    "bilingual",
    "localized",
    "normalize_language",
    "translator",
]
