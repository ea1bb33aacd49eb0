"""PIN: six digits, masked, sent by the sixth (no OK); when the centre asks for a new PIN, the
current one then the new."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty

from central.contract.models import PIN_DIGITS
from screens.base import KioskScreen, load_rules


class PinScreen(KioskScreen):
    pin_digits = PIN_DIGITS
    changing = BooleanProperty(False)  # CHANGING_PIN: two entries before the intent
    stage = StringProperty("pin.title")
    _current = ""

    def prepare(self, changing: bool) -> None:
        self.changing = changing
        self._current = ""
        self.stage = "pin.change_current" if changing else "pin.title"

    def entered(self, pin: str) -> None:
        router: Any = App.get_running_app().router
        if not self.changing:
            router.enter_pin(pin)
        elif not self._current:
            self._current = pin
            self.stage = "pin.change_new"
        else:
            current, self._current = self._current, ""
            self.stage = "pin.change_current"
            router.change_pin(current, pin)

    def forget(self) -> None:
        self._current = ""
        self.ids.keypad.clear()

    def on_leave(self, *_args: Any) -> None:
        self.forget()


load_rules(__name__)
