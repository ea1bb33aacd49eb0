"""screens/widgets/unseen.py: a widget at opacity 0 is boxed away from the GPU, and shown
again it draws as before (Xvfb, the real window)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np


def _red_share(widget: Any, path: Path) -> float:
    """The share of the widget's picture that is pure red."""
    from kivy.base import EventLoop

    for _ in range(2):
        EventLoop.idle()
    widget.export_to_png(str(path))
    image = cv2.imread(str(path))
    assert image is not None, f"{path} was not written"
    red = (image[:, :, 2] > 200) & (image[:, :, 1] < 50) & (image[:, :, 0] < 50)
    return float(np.count_nonzero(red)) / red.size


def _painted(size: tuple[int, int]) -> Any:
    from kivy.graphics import Color, Rectangle
    from kivy.uix.widget import Widget

    widget = Widget(size=size, pos=(0, 0))
    with widget.canvas:
        Color(1, 0, 0, 1)
        Rectangle(pos=(0, 0), size=size)
    return widget


def test_a_hidden_widget_is_boxed_away_and_draws_again_when_shown(
    window: Any, tmp_path: Path
) -> None:
    from kivy.uix.widget import Widget

    from screens.widgets.unseen import is_skipped, skip_drawing_unseen

    root = Widget(size=(400, 300), pos=(0, 0), size_hint=(None, None))
    child = _painted((400, 300))
    root.add_widget(child)
    window.add_widget(root)
    try:
        skip_drawing_unseen(root)
        assert not is_skipped(child)
        assert _red_share(root, tmp_path / "shown.png") > 0.9

        child.opacity = 0
        assert is_skipped(child)
        assert _red_share(root, tmp_path / "hidden.png") == 0

        child.opacity = 1
        assert not is_skipped(child)
        assert _red_share(root, tmp_path / "again.png") > 0.9  # the box is gone, not left behind

        skip_drawing_unseen(root)  # a second call adds no second watch or box
        child.opacity = 0
        child.opacity = 1
        assert _red_share(root, tmp_path / "twice.png") > 0.9
    finally:
        window.remove_widget(root)


def test_a_hidden_parent_takes_its_children_with_it(window: Any, tmp_path: Path) -> None:
    from kivy.uix.widget import Widget

    from screens.widgets.unseen import is_skipped, skip_drawing_unseen

    root = Widget(size=(400, 300), pos=(0, 0), size_hint=(None, None))
    parent = Widget(size=(400, 300), pos=(0, 0))
    sibling = _painted((400, 150))
    parent.add_widget(_painted((400, 300)))
    root.add_widget(parent)
    root.add_widget(sibling)  # drawn after the parent: the box must end before it
    window.add_widget(root)
    try:
        skip_drawing_unseen(root)
        parent.opacity = 0
        assert is_skipped(parent)
        assert 0.4 < _red_share(root, tmp_path / "half.png") < 0.6  # only the sibling shows
    finally:
        window.remove_widget(root)
