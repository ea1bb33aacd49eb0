"""A scripted finger on the app: real Kivy touch events through the window, frames pumped by
hand, waits that end in a clear message rather than a hang.

The tour plays a resident's visit with it, so the demo's screenshots come from the app being
used the way a resident uses it, not from screens set up one by one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WAIT_S = 45.0  # generous: on a loaded machine the centre shares the cores


class TourStuck(RuntimeError):
    """What the tour waited for did not come; the message names it and the screen shown."""


class Finger:
    def __init__(self, app: Any, root: Any) -> None:
        self.app = app
        self.root = root
        self.touches = 0

    @property
    def screen(self) -> str:
        return str(self.root.ids.manager.current)

    def frames(self, count: int = 3) -> None:
        from kivy.base import EventLoop

        for _ in range(count):
            EventLoop.idle()

    def until(self, done: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                notice = self.root.ids.toast.text
                raise TourStuck(
                    f"timed out waiting for {what} (screen: {self.screen}; notice: {notice!r})"
                )
            self.frames(1)
        self.frames(2)  # let the kv bindings settle

    def on(self, screen: str) -> None:
        self.until(lambda: self.screen == screen, f"the {screen} screen")

    def tap(self, widget: Any) -> None:
        """A touch down and up at the widget's centre, in window coordinates."""
        from screens.demo.touch import ScriptedTouch

        touch = ScriptedTouch(*widget.to_window(*widget.center))
        touch.down()
        touch.up()
        self.touches += 1
        self.frames(2)

    def buttons(self, text: str) -> list[Any]:
        return [w for w in self.visible() if getattr(w, "text", None) == text and pressable(w)]

    def button(self, text: str) -> Any:
        found = self.buttons(text)
        if not found:
            raise TourStuck(f"no button {text!r} on the {self.screen} screen: {self.texts()}")
        return found[0]

    def press(self, *labels: str) -> None:
        for label in labels:
            self.tap(self.button(label))

    def visible(self) -> list[Any]:
        """The widgets a resident sees: the current screen's and the overlays', not hidden."""
        shown: list[Any] = []

        def walk(widget: Any) -> None:
            if widget.opacity == 0:
                return
            if widget is self.root.ids.manager:
                walk(widget.current_screen)
                return
            shown.append(widget)
            for child in widget.children:
                walk(child)

        walk(self.root)
        return shown

    def texts(self) -> list[str]:
        return [
            w.text for w in self.visible() if isinstance(getattr(w, "text", None), str) and w.text
        ]

    def screenshot(self, path: Path) -> Path:
        """The window's picture as the resident sees it (all layers), as a PNG."""
        self.frames(2)
        self.root.export_to_png(str(path))
        return path


def pressable(widget: Any) -> bool:
    from kivy.uix.behaviors import ButtonBehavior

    return isinstance(widget, ButtonBehavior) and not widget.disabled
