"""Labels keep no second copy of their text's picture.

Kivy's SDL2 text provider renders a label's text into an SDL surface (``_render_begin`` …
``_render_end``), copies its pixels out for the GPU, and then keeps the surface on the label
until the text changes. Every label of every screen (all are built at start-up) thus held its
picture twice: heaptrack counted 14 MB of such surfaces still alive after 30 visits, beside the
textures the GPU holds. The copy Kivy makes (``get_data``) owns its bytes, so the surface can
go as soon as it is taken; the next render makes a new one anyway.
"""

from __future__ import annotations

from typing import Any


def drop_text_surfaces() -> None:
    """Make the SDL2 text provider free each surface once its pixels are copied (idempotent).
    Another text provider is left as it is."""
    from kivy.core.text import Label as CoreLabel

    try:
        from kivy.core.text.text_sdl2 import LabelSDL2
    except ImportError:  # Kivy built without SDL2: nothing of this kind to drop
        return
    if not issubclass(CoreLabel, LabelSDL2) or getattr(LabelSDL2, "_drops_surfaces", False):
        return
    keep_rendering = LabelSDL2._render_end  # noqa: SLF001 - Kivy offers no hook for this

    def render_end(self: Any) -> Any:
        try:
            return keep_rendering(self)
        finally:
            self._surface = None

    LabelSDL2._render_end = render_end  # noqa: SLF001 - the same step, then the surface freed
    LabelSDL2._drops_surfaces = True  # noqa: SLF001 - ours: marks the step wrapped once
