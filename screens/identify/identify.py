"""Identify: tap the e-KTP (an animated card shows where), or type the NIK on a keypad."""

from __future__ import annotations

from typing import Any

from kivy.animation import Animation
from kivy.properties import BooleanProperty, NumericProperty

from central.contract.models import NIK_DIGITS
from screens.base import KioskScreen, load_rules

TAP_S = 0.9  # one movement of the card towards the reader


class IdentifyScreen(KioskScreen):
    nik_digits = NIK_DIGITS
    nik_mode = BooleanProperty(False)
    card_y = NumericProperty(0.6)  # the animated card's height on the screen, 0..1

    def on_enter(self, *_args: Any) -> None:
        animation = Animation(card_y=0.3, duration=TAP_S) + Animation(card_y=0.6, duration=TAP_S)
        animation.repeat = True
        self._animation = animation
        animation.start(self)

    def on_leave(self, *_args: Any) -> None:
        Animation.cancel_all(self)
        self.forget()

    def forget(self) -> None:
        self.ids.keypad.clear()


load_rules(__name__)
