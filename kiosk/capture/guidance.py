"""What to tell the resident, in Bahasa Indonesia and English, for every capture problem.

One table, keyed by a stable code, so the scan screen, the CLI and a later gettext catalogue
all say the same thing. Codes are part of the interface: the session publishes them.
"""

from __future__ import annotations

import enum
from typing import TypedDict


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
    OK = "ok"


GUIDANCE: dict[Code, Text] = {
    Code.NO_PAGE: {
        "id": "Letakkan dokumen di atas baki.",
        "en": "Place the document on the tray.",
    },
    Code.CUT_OFF: {
        "id": "Sebagian dokumen terpotong. Geser dokumen ke tengah baki.",
        "en": "Part of the document is cut off. Move it to the middle of the tray.",
    },
    Code.TOO_SMALL: {
        "id": "Dokumen terlalu kecil. Dekatkan dokumen ke kamera.",
        "en": "The document is too small. Bring it closer to the camera.",
    },
    Code.BLURRED: {
        "id": "Gambar buram. Tahan dokumen tetap diam.",
        "en": "The picture is blurred. Hold the document still.",
    },
    Code.GLARE: {
        "id": "Ada pantulan cahaya. Miringkan dokumen sedikit atau kurangi cahaya.",
        "en": "There is glare. Tilt the document slightly or reduce the light.",
    },
    Code.TOO_DARK: {
        "id": "Terlalu gelap. Tambah cahaya atau jangan menutupi dokumen.",
        "en": "Too dark. Add light or do not shade the document.",
    },
    Code.HOLD_STILL: {
        "id": "Tahan sebentar...",
        "en": "Hold still...",
    },
    Code.OK: {
        "id": "Dokumen berhasil dipindai.",
        "en": "The document was scanned.",
    },
}


def text(code: Code) -> Text:
    return GUIDANCE[code]
