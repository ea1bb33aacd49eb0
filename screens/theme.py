"""The high-contrast theme and the physical size rule for touch targets.

Sizes are computed from the screen's configured DPI, not Kivy's ``dp``: a resident's finger
is measured in millimetres, and kiosk panels report no reliable DPI of their own.
"""

from __future__ import annotations

MM_PER_INCH = 25.4
MIN_TARGET_MM = 15.0  # EN 301 549 / kiosk practice: a finger, not a mouse pointer

BACKGROUND = (0.0, 0.0, 0.0, 1.0)
FOREGROUND = (1.0, 1.0, 1.0, 1.0)
ACCENT = (1.0, 0.84, 0.0, 1.0)  # yellow on black: the highest-contrast pair after white
ACCENT_TEXT = (0.0, 0.0, 0.0, 1.0)
DANGER = (1.0, 0.45, 0.35, 1.0)
MUTED = (0.75, 0.75, 0.75, 1.0)
BANNER = (0.85, 0.1, 0.1, 1.0)


def mm_to_px(mm: float, dpi: float) -> float:
    return mm / MM_PER_INCH * dpi


def px_to_mm(px: float, dpi: float) -> float:
    return px * MM_PER_INCH / dpi


class Sizes:
    """Every size a screen uses, derived from one DPI so no screen guesses its own."""

    def __init__(self, dpi: float) -> None:
        self.dpi = dpi
        self.target = round(mm_to_px(MIN_TARGET_MM + 3, dpi))  # a margin over the minimum
        self.big_target = round(mm_to_px(25, dpi))
        self.gap = round(mm_to_px(3, dpi))
        self.title = round(mm_to_px(11, dpi))
        self.body = round(mm_to_px(7, dpi))
        self.button = round(mm_to_px(7, dpi))
        self.small = round(mm_to_px(5, dpi))
