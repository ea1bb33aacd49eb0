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


LARGE_TEXT = 1.3  # the text-size toggle's factor: type grows, touch targets stay as they are


class Sizes:
    """Every size a screen uses, derived from one DPI so no screen guesses its own;
    ``text_scale`` enlarges the type only (the text-size toggle)."""

    def __init__(self, dpi: float, text_scale: float = 1.0) -> None:
        self.dpi = dpi
        self.text_scale = text_scale
        self.target = round(mm_to_px(MIN_TARGET_MM + 3, dpi))  # a margin over the minimum
        self.big_target = round(mm_to_px(25, dpi))
        self.gap = round(mm_to_px(3, dpi))
        self.title = round(mm_to_px(11, dpi) * text_scale)
        self.body = round(mm_to_px(7, dpi) * text_scale)
        self.button = round(mm_to_px(7, dpi) * text_scale)
        self.small = round(mm_to_px(5, dpi) * text_scale)
