"""Out of service, with its reason in words a resident understands."""

from __future__ import annotations

from kivy.properties import ObjectProperty

from screens.base import KioskScreen, load_rules


class OutOfServiceScreen(KioskScreen):
    reason = ObjectProperty(None, allownone=True)  # LocalizedText


load_rules(__name__)
