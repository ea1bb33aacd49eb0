"""A short message over the screen (a notice from the session) that goes away by itself."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import StringProperty
from kivy.uix.label import Label

SHOW_S = 6.0  # long enough to read two lines slowly


class Toast(Label):
    level = StringProperty("info")

    def show(self, text: str, level: str) -> None:
        self.text = text
        self.level = level
        Clock.unschedule(self._hide)
        Clock.schedule_once(self._hide, SHOW_S)

    def hide(self) -> None:
        Clock.unschedule(self._hide)
        self.text = ""

    def _hide(self, _dt: float) -> None:
        self.text = ""
