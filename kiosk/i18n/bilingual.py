"""Bilingual text from the gettext catalogs: one call gives both halves of a message, so
events and errors carry display-ready ``LocalizedText`` and the screen only picks the language."""

from __future__ import annotations

from central.contract.models import LocalizedText
from kiosk.i18n.translator import translator


def bilingual(msgid: str, **params: object) -> LocalizedText:
    """Translate the English source ``msgid`` into Bahasa Indonesia and English.

    A marker for the catalog check too: every literal passed here must be in both catalogs.
    """
    return LocalizedText(
        id=translator("id")(msgid, **params),
        en=translator("en")(msgid, **params),
    )
