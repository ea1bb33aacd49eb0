"""Capability profiles: what a class of thermal printer can do, so the renderer can adapt.

Cheap 58 mm printers (POS-5890, ZJ-5870) are 384 dots wide, usually have no cutter and no
native QR; 80 mm kiosk printers are 576 dots wide with a cutter and ``GS ( k`` QR codes.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT_A_WIDTH = 12
"""Font A cells are 12 x 24 dots on every ESC/POS printer we target."""
FONT_A_HEIGHT = 24
LINE_DOTS = 30
"""Default line spacing after ``ESC @``: 1/6 inch at 180 dpi, 30 dots on a 203 dpi head."""


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    width_dots: int
    has_cutter: bool
    native_qr: bool

    @property
    def columns(self) -> int:
        """Characters of font A that fit one line."""
        return self.width_dots // FONT_A_WIDTH


PROFILE_58MM = PrinterProfile("58mm", width_dots=384, has_cutter=False, native_qr=False)
PROFILE_80MM = PrinterProfile("80mm", width_dots=576, has_cutter=True, native_qr=True)
PROFILES: dict[str, PrinterProfile] = {p.name: p for p in (PROFILE_58MM, PROFILE_80MM)}


def profile_named(name: str) -> PrinterProfile:
    """The profile for a config name; the error lists the valid names."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"no printer profile {name!r}; choose one of: {', '.join(PROFILES)}"
        ) from None
