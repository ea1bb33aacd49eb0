"""Done: the receipt is printed, or (printer down) its code is on the screen to photograph."""

from __future__ import annotations

import io

import qrcode
from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, ObjectProperty

from screens.base import KioskScreen, load_rules

QR_BOX_PX = 12  # one QR module in screen pixels: a phone reads it from arm's length


class DoneScreen(KioskScreen):
    printed = BooleanProperty(True)
    qr_texture = ObjectProperty(None, allownone=True)
    signed_in = BooleanProperty(True)  # false for a walk-in's queue number: no menu to go to

    def show(self, printed: bool, qr_payload: str) -> None:
        self.printed = printed
        self.qr_texture = None if printed else _qr_texture(qr_payload)

    def forget(self) -> None:
        self.printed = True
        self.qr_texture = None
        self.signed_in = True


def _qr_texture(payload: str) -> object:
    image = qrcode.make(payload, box_size=QR_BOX_PX, border=4)
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return CoreImage(data, ext="png").texture


load_rules(__name__)
