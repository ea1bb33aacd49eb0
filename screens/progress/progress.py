"""Submitting and printing: a moving bar so the resident knows the kiosk is working."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from screens.base import KioskScreen, load_rules


class ProgressScreen(KioskScreen):
    stage = StringProperty("submitting.title")

    def on_enter(self, *_args: Any) -> None:
        self.ids.bar.start()

    def on_leave(self, *_args: Any) -> None:
        self.ids.bar.stop()


load_rules(__name__)
