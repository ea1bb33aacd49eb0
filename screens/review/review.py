"""Review: what will be sent, before it is sent; for a queue number, a plain confirmation. A
letter or a complaint also offers the SMS/WhatsApp opt-in here, off the way to "Kirim", so a
resident who wants none spends no touch on it."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from central.contract.models import LocalizedText
from screens.base import KioskScreen, load_rules


class ReviewScreen(KioskScreen):
    service_label = ObjectProperty(None, allownone=True)
    summary = StringProperty("")  # "label: answer" lines the screen typed itself
    queue = BooleanProperty(False)
    notify = BooleanProperty(False)  # offers "Kabari saya lewat SMS/WhatsApp" (letter, complaint)

    def show(self, label: LocalizedText | None, summary: str, queue: bool) -> None:
        self.service_label = label
        self.summary = summary
        self.queue = queue

    def forget(self) -> None:
        self.show(None, "", False)
        self.notify = False


load_rules(__name__)
