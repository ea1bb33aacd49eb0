"""What to tell the resident, in Bahasa Indonesia and English, for every capture problem.

Keyed by a stable code, so the scan screen, the CLI and the session all say the same thing;
codes are part of the interface (the session publishes them). The texts themselves live in the
gettext catalogs (kiosk/i18n/locale) like every other resident-facing string: here each code
only names its English source text, marked with ``N_`` so ``kiosk i18n`` finds it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import TypedDict

from kiosk.i18n import N_, translator


class Text(TypedDict):
    id: str
    en: str


class Code(enum.StrEnum):
    NO_PAGE = "no_page"
    CUT_OFF = "cut_off"
    TOO_SMALL = "too_small"
    BLURRED = "blurred"
    GLARE = "glare"
    TOO_DARK = "too_dark"
    HOLD_STILL = "hold_still"
    CLUTTER = "clutter"
    OK = "ok"


MESSAGES: dict[Code, str] = {
    Code.NO_PAGE: N_("Place the document on the tray."),
    Code.CUT_OFF: N_("Part of the document is cut off. Move it to the middle of the tray."),
    Code.TOO_SMALL: N_("The document is too small. Bring it closer to the camera."),
    Code.BLURRED: N_("The picture is blurred. Hold the document still."),
    Code.GLARE: N_("There is glare. Tilt the document slightly or reduce the light."),
    Code.TOO_DARK: N_("Too dark. Add light or do not shade the document."),
    Code.HOLD_STILL: N_("Hold still..."),
    Code.CLUTTER: N_("Clear the things around the document so all its edges can be seen."),
    Code.OK: N_("The document was scanned."),
}


def text(code: Code) -> Text:
    """Both languages of ``code``'s guidance, from the catalogs."""
    message = MESSAGES[code]
    return {"id": translator("id")(message), "en": translator("en")(message)}


class _Guidance(Mapping[Code, Text]):
    """``GUIDANCE[code]``: the catalog texts, looked up when read (the catalogs load lazily)."""

    def __getitem__(self, code: Code) -> Text:
        return text(code)

    def __iter__(self) -> Iterator[Code]:
        return iter(MESSAGES)

    def __len__(self) -> int:
        return len(MESSAGES)


GUIDANCE: Mapping[Code, Text] = _Guidance()
