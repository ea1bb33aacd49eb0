"""'Beri tahu saya lewat SMS/WhatsApp?': opened from the review of a letter request or a
complaint ("Kabari saya lewat SMS/WhatsApp"), never on the way to "Kirim". The resident types
a mobile number on the keypad (checked by the session as the contract checks it), or "Lewati"
for none; either returns to the review. The number is shown only while typed; the review shows
it masked, and the keypad forgets it on OK."""

from __future__ import annotations

from kivy.properties import ObjectProperty

from central.contract.models import LocalizedText
from common.phone import MAX_LOCAL_DIGITS
from screens.base import KioskScreen, load_rules


class PhoneScreen(KioskScreen):
    prompt = ObjectProperty(None, allownone=True)  # LocalizedText from the session's flows
    max_digits = MAX_LOCAL_DIGITS

    def show_step(self, prompt: LocalizedText) -> None:
        self.prompt = prompt
        self.ids.keypad.clear()

    def forget(self) -> None:
        self.ids.keypad.clear()
        self.prompt = None


load_rules(__name__)
