"""A numeric keypad for NIK and PIN: digits, delete, OK, and a display of what was typed.

The value lives in the keypad only until OK: ``submit`` hands it over and clears it, so the
widget tree never keeps a NIK or a PIN after use. A keypad for a value of one fixed length
(``submit_when_full``: the PIN, the NIK) has no OK: the last digit submits, as the 6-digit PINs
of Indonesian e-wallets do, so residents already know it and the OK touch is saved; "Hapus"
still corrects any digit before the last.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

MASK = "\u25cf"  # ● for each PIN digit


class NumericKeypad(BoxLayout):
    value = StringProperty("")
    max_length = NumericProperty(16)
    masked = BooleanProperty(False)
    submit_when_full = BooleanProperty(False)  # the digit that makes max_length submits
    shown = StringProperty("")  # what the display label says: masked or spaced in fours

    __events__ = ("on_submit",)

    def on_value(self, _instance: Any, value: str) -> None:
        if self.masked:
            self.shown = MASK * len(value)
        else:
            self.shown = " ".join(value[i : i + 4] for i in range(0, len(value), 4))

    def press(self, key: str) -> None:
        if key == "del":
            self.value = self.value[:-1]
        elif key == "ok":
            self.submit()
        elif key.isdigit() and len(self.value) < self.max_length:
            self.value += key
            if self.submit_when_full and len(self.value) == self.max_length:
                self.submit()

    def submit(self) -> None:
        typed, self.value = self.value, ""
        self.dispatch("on_submit", typed)

    def clear(self) -> None:
        self.value = ""

    def on_submit(self, value: str) -> None:
        """Default handler (Kivy needs one for every declared event)."""
