"""Attract/idle: slides of the centre's announcements (or a word about the kiosk when there
are none), "tap your e-KTP or touch the screen", and a button per queue service: a queue
number is one touch from here, with no card and no PIN (the centre numbers tickets without
knowing who takes them, and the ticket shows nobody's data)."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty, ObjectProperty

from central.contract.models import LocalizedText, Service
from central.contract.services import Announcement
from screens import heap
from screens.base import KioskScreen, load_rules
from screens.widgets import BigButton


def _cut(text: str) -> str:
    return text if len(text) <= SLIDE_CHARS else text[: SLIDE_CHARS - 1].rstrip() + "…"


SLIDE_S = 8.0  # each slide stays long enough to read
SLIDE_CHARS = 280  # an announcement's body on a slide is cut here: the attract is no reader


class QueueButton(BigButton):
    """A queue service offered before signing in, its label in both languages: the shown
    language's first, the other's smaller beneath it. The attract is shown in the default
    language (the language is chosen after the first touch), and a visitor who reads only
    the other one should still find the one-touch queue number."""

    service = ObjectProperty(None)

    @staticmethod
    def other_language(language: str) -> str:
        return "en" if language == "id" else "id"


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
        Clock.schedule_once(self._after_visit)  # the next frame: the attract already shows

    def on_leave(self, *_args: Any) -> None:
        Clock.unschedule(self._next)
        Clock.unschedule(self._after_visit)

    @staticmethod
    def _after_visit(_dt: float) -> None:
        """The visit's garbage collected and its memory given back (screens/heap.py), in the
        frame after the one that shows the attract: the resident has gone, the next one
        meets a drawn screen."""
        heap.after_visit()

    def _next(self, _dt: float) -> None:
        """The next slide; the queue offer is asked again with it (the catalog may have
        arrived, the centre gone away or come back): no network, the session's cached catalog."""
        if self.slides:
            self.slide = (self.slide + 1) % len(self.slides)
        App.get_running_app().router.offer_queue(self.show_queue_services)

    def show_queue_services(self, services: list[Service]) -> None:
        """One button per queue service the session offers now (none while the centre is
        away); rebuilt only when the offer changes, so the attract's frames stay light."""
        box = self.ids.queue
        if [b.service for b in box.children[::-1]] == services:
            return
        router = App.get_running_app().router
        box.clear_widgets()
        for service in services:
            button = QueueButton(service=service)
            button.bind(on_release=lambda b: router.take_queue_number(b.service.id))
            box.add_widget(button)

    def on_touch_down(self, touch: Any) -> bool:
        """A queue button takes its touch; anywhere else wakes the kiosk (language first)."""
        if any(b.collide_point(*touch.pos) for b in self.ids.queue.children):
            return bool(super().on_touch_down(touch))
        App.get_running_app().router.wake()
        return True


load_rules(__name__)
