"""The widget kit every screen builds from (rules in kit.kv): big buttons sized in
millimetres, a numeric keypad, an on-screen keyboard, progress, the countdown overlay and
toasts. Importing this package registers the classes and their rules with Kivy."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from screens.widgets.buttons import BigButton, Tile
from screens.widgets.countdown import CountdownOverlay
from screens.widgets.keyboard import OnScreenKeyboard
from screens.widgets.keypad import NumericKeypad
from screens.widgets.preview import TrayPreview
from screens.widgets.progress import BusyBar
from screens.widgets.toast import Toast

Builder.load_file(str(Path(__file__).with_name("kit.kv")))

__all__ = [
    "BigButton",
    "BusyBar",
    "CountdownOverlay",
    "NumericKeypad",
    "OnScreenKeyboard",
    "Tile",
    "Toast",
    "TrayPreview",
]
