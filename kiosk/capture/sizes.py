"""Known document sizes, so a rectified page gets its real proportions and a physical size.

A photo alone does not tell an ID card from a folio sheet (1.586 vs 1.535 aspect), so snapping
picks the nearest known aspect within a tolerance, and a ``px_per_mm`` hint (the tray camera's
fixed scale, when known) settles close calls and the width of a receipt.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocSize:
    """A document format: its name and its size in millimetres, portrait (width <= height)."""

    name: str
    width_mm: float
    height_mm: float

    @property
    def aspect(self) -> float:
        return self.height_mm / self.width_mm


A4 = DocSize("a4", 210.0, 297.0)
F4 = DocSize("f4", 215.0, 330.0)
ID1 = DocSize("id1", 54.0, 85.6)
KNOWN_SIZES: tuple[DocSize, ...] = (A4, F4, ID1)
RECEIPT_WIDTHS_MM: tuple[float, ...] = (58.0, 80.0)
# Thermal receipts are long strips; anything this much longer than wide is taken as one.
RECEIPT_MIN_ASPECT = 1.9
RECEIPT_MAX_ASPECT = 8.0


def snap(
    aspect: float, long_side_px: float, px_per_mm: float | None = None, tolerance: float = 0.04
) -> DocSize | None:
    """The known format whose aspect (long/short, >= 1) matches ``aspect``, or None.

    ``long_side_px`` with ``px_per_mm`` measures the page's physical size, which decides
    between formats of similar aspect (ID card vs folio) and between receipt widths.
    """
    if aspect < 1.0:
        aspect = 1.0 / aspect
    size_mm = long_side_px / px_per_mm if px_per_mm else None
    if RECEIPT_MIN_ASPECT <= aspect <= RECEIPT_MAX_ASPECT:
        width = RECEIPT_WIDTHS_MM[-1]
        if size_mm is not None:
            short_mm = size_mm / aspect
            width = min(RECEIPT_WIDTHS_MM, key=lambda w: abs(w - short_mm))
        return DocSize(f"receipt{int(width)}", width, round(width * aspect, 1))
    close = [s for s in KNOWN_SIZES if abs(s.aspect - aspect) / s.aspect <= tolerance]
    if not close:
        return None
    if size_mm is not None:
        return min(close, key=lambda s: abs(s.height_mm - size_mm))
    return min(close, key=lambda s: abs(s.aspect - aspect))
