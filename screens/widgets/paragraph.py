"""A paragraph of text in a scrolling list: wraps to the list's width and is as tall as its
lines, so the list (information, bansos) scrolls by whole paragraphs."""

from __future__ import annotations

from typing import Any

from kivy.uix.label import Label


def paragraph(text: str, font_size: float, gap: float, **kwargs: Any) -> Label:
    """A left-aligned label of ``text`` that wraps at its width; ``gap`` below its lines."""
    shown = Label(text=text, font_size=font_size, size_hint_y=None, halign="left", **kwargs)
    shown.bind(width=lambda w, width: setattr(w, "text_size", (width, None)))
    shown.bind(texture_size=lambda w, ts: setattr(w, "height", ts[1] + gap))
    return shown
