"""Attract/idle: slides of the centre's announcements (or a word about the kiosk when there
are none) and "tap your e-KTP or touch the screen"."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty

from central.contract.models import LocalizedText
from central.contract.services import Announcement
from screens.base import KioskScreen, load_rules


def _cut(text: str) -> str:
    return text if len(text) <= SLIDE_CHARS else text[: SLIDE_CHARS - 1].rstrip() + "…"


SLIDE_S = 8.0  # each slide stays long enough to read
SLIDE_CHARS = 280  # an announcement's body on a slide is cut here: the attract is no reader


class AttractScreen(KioskScreen):
    slides = ListProperty()  # LocalizedText: the centre's announcements, title and body
    slide = NumericProperty(0)

    def show_announcements(self, announcements: list[Announcement]) -> None:
        self.slides = [
            LocalizedText(
                id=f"{a.title.id}\n{_cut(a.body.id)}",
                en=f"{a.title.en}\n{_cut(a.body.en)}",
            )
            for a in announcements
        ]
        self.slide = 0

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
