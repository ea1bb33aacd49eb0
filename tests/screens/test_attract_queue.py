"""The attract screen's queue button speaks both languages: the attract shows before anyone
chooses a language, so a visitor who reads only English must still find the one-touch queue
number. Checked on the drawn pixels, not only the widget tree: two lines of text, apart."""

from __future__ import annotations

from typing import Any

from tests.screens.conftest import Ui

QUEUE_ID = "Ambil nomor antrian"
QUEUE_EN = "Take a queue number"


def _queue_button(ui: Ui) -> Any:
    ui.until(lambda: ui.buttons(QUEUE_ID) != [], "the attract's queue button")
    return ui.button(QUEUE_ID)


def _text_bands(widget: Any) -> list[tuple[int, int]]:
    """Runs of pixel rows holding dark (text-coloured) pixels on the yellow button."""
    import numpy as np

    image = widget.export_as_image()
    width, height = image.texture.size
    pixels = np.frombuffer(image.texture.pixels, np.uint8).reshape(height, width, 4)
    dark = (pixels[:, :, :3].max(axis=2) < 90).any(axis=1)
    bands, start = [], None
    for row, has_text in enumerate([*dark, False]):
        if has_text and start is None:
            start = row
        elif not has_text and start is not None:
            bands.append((start, row))
            start = None
    return bands


def test_the_queue_button_shows_indonesian_first_and_english_smaller(ui: Ui) -> None:
    button = _queue_button(ui)
    other = button.ids.other
    assert button.text == QUEUE_ID
    assert other.text == QUEUE_EN
    assert other.font_size < button.font_size
    assert QUEUE_EN in ui.texts()  # shown, not hidden
    assert other.y >= button.y and other.top <= button.top  # inside the button's face
    bands = _text_bands(button)
    assert len(bands) == 2, bands  # two lines drawn, apart: not one over the other


def test_the_queue_button_follows_the_language_and_still_takes_a_number(ui: Ui) -> None:
    ui.show_language("en")
    ui.until(lambda: ui.buttons(QUEUE_EN) != [], "the queue button in English")
    button = ui.button(QUEUE_EN)
    assert button.ids.other.text == QUEUE_ID
    ui.show_language("id")
    ui.press(QUEUE_ID)  # the touch on the two-line face takes the number
    ui.on("done")
    assert ui.touches == 1
