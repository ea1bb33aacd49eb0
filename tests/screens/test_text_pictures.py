"""screens/text_pictures.py: a label's text reaches the GPU and its SDL surface is freed,
for plain and markup labels alike (Xvfb, the real window and text provider)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest


@pytest.mark.parametrize("markup", [False, True], ids=["plain", "markup"])
def test_a_label_keeps_its_text_on_screen_but_not_its_surface(
    window: Any, tmp_path: Path, markup: bool
) -> None:
    from kivy.base import EventLoop
    from kivy.uix.label import Label

    from screens.text_pictures import drop_text_surfaces

    drop_text_surfaces()
    drop_text_surfaces()  # a second call wraps nothing twice
    label = Label(
        text="[b]Surat[/b] siap" if markup else "Surat siap",
        markup=markup,
        font_size=60,
        color=(1, 1, 1, 1),
        size_hint=(None, None),
        size=(600, 200),
    )
    window.add_widget(label)
    try:
        for _ in range(3):  # the text is rendered when its texture is first drawn
            EventLoop.idle()
        core = label._label
        assert "_surface" in vars(core) and core._surface is None
        label.export_to_png(str(tmp_path / "label.png"))
        image = cv2.imread(str(tmp_path / "label.png"))
        assert image is not None
        assert np.count_nonzero(image.max(axis=2) > 200) > 500  # the text is drawn
        label.text = "Surat sudah dicetak"  # the next render makes and frees its own
        for _ in range(3):
            EventLoop.idle()
        assert label._label._surface is None
        assert label.texture_size[0] > 300
    finally:
        window.remove_widget(label)
