"""Status check before signing in: the code printed on a receipt, typed on the keyboard, and
the request's status as the centre tells it (no personal data: anyone holding the receipt
may ask). The answer comes back through the clock; nothing here waits for the centre."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ObjectProperty

from central.contract.models import LocalizedText
from central.contract.services import TrackedItem
from screens.base import KioskScreen, load_rules


class StatusScreen(KioskScreen):
    answer = ObjectProperty(None, allownone=True)  # LocalizedText to show, or None
    asking = BooleanProperty(False)

    def check(self) -> None:
        code = str(self.ids.keyboard.value)
        if not code.strip() or self.asking:
            return
        self.asking = True
        App.get_running_app().router.track(code, self.show)

    def show(self, result: TrackedItem | LocalizedText) -> None:
        self.asking = False
        if isinstance(result, TrackedItem):
            self.answer = LocalizedText(
                id=f"{result.tracking_code} · {result.title.id}: {result.status_label.id}",
                en=f"{result.tracking_code} · {result.title.en}: {result.status_label.en}",
            )
        else:
            self.answer = result

    def on_pre_enter(self, *_args: Any) -> None:
        self.forget()

    def forget(self) -> None:
        self.answer = None
        self.asking = False
        self.ids.keyboard.value = ""


load_rules(__name__)
