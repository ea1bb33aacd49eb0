"""An on-screen keyboard for form fields: the Indonesian QWERTY layout with big keys.

Typing only changes ``value``; the screen reads it when the resident presses Next.
"""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.text import word
from screens.widgets.buttons import BigButton

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm,./")
SPECIAL = {"shift": "common.shift", "space": "common.space", "del": "common.delete"}


class KeyboardKey(BigButton):
    """One key; its caption is the character, or a word for shift, space and delete."""

    key = StringProperty("")

    @staticmethod
    def caption(key: str, language: str) -> str:
        return word(SPECIAL[key], language) if key in SPECIAL else key


class OnScreenKeyboard(BoxLayout):
    value = StringProperty("")
    max_length = NumericProperty(200)
    shifted = StringProperty("")  # "" or "shift": the next letter is a capital

    def build_rows(self) -> None:
        """The keys, made once: four rows of the layout and a row of space, shift, delete."""
        for row in (*ROWS, ("shift", "space", "del")):
            line = BoxLayout(spacing=self.spacing)
            for key in row:
                button = KeyboardKey(key=key)
                button.bind(on_release=lambda b: self.press(b.key))
                line.add_widget(button)
            self.add_widget(line)

    def press(self, key: str) -> None:
        if key == "del":
            self.value = self.value[:-1]
        elif key == "shift":
            self.shifted = "" if self.shifted else "shift"
        elif len(self.value) < self.max_length:
            if key == "space":
                key = " "
            elif self.shifted:
                key, self.shifted = key.upper(), ""
            self.value += key

    def clear(self) -> None:
        self.value = ""
        self.shifted = ""
