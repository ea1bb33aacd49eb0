"""Attract/idle: slides about the village and "tap your e-KTP or touch the screen"."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty

from screens.base import KioskScreen, load_rules

SLIDE_S = 8.0  # each slide stays long enough to read


class AttractScreen(KioskScreen):
    slides = ListProperty()  # LocalizedText or word keys; announcements from the centre later
    slide = NumericProperty(0)

    def on_enter(self, *_args: Any) -> None:
        Clock.schedule_interval(self._next, SLIDE_S)

    def on_leave(self, *_args: Any) -> None:
        Clock.unschedule(self._next)

    def _next(self, _dt: float) -> None:
        if self.slides:
            self.slide = (self.slide + 1) % len(self.slides)

    def on_touch_down(self, touch: Any) -> bool:
        App.get_running_app().router.wake()
        return True


load_rules(__name__)
