"""The overlay shown before every timeout: seconds left and a big "Continue"."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout


class CountdownOverlay(FloatLayout):
    seconds = NumericProperty(0)
    active = BooleanProperty(False)

    __events__ = ("on_continue",)

    def show(self, seconds: int) -> None:
        self.seconds = seconds
        self.active = True

    def hide(self) -> None:
        self.active = False

    def on_continue(self) -> None:
        """Default handler: the app posts the touch that restarts the session's timer."""

    def on_touch_down(self, touch: object) -> bool:
        if not self.active:
            return False  # invisible: let the screen below have the touch
        return bool(super().on_touch_down(touch)) or True  # modal: nothing below while shown
