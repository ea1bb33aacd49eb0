"""Done: the receipt is printed, or (printer down) its code is on the screen to photograph.

The QR's modules are worked out on a short-lived thread (qrcode's mask choice is pure Python,
tens of milliseconds on a busy kiosk) and only the texture's upload happens on the UI thread;
no PNG is encoded and decoded on the way."""

from __future__ import annotations

import threading

import numpy as np
import qrcode
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty

from screens.base import KioskScreen, load_rules

QR_BOX_PX = 12  # one QR module in screen pixels: a phone reads it from arm's length
QR_BORDER = 4  # the quiet zone, in modules, that readers need around the code


class DoneScreen(KioskScreen):
    printed = BooleanProperty(True)
    qr_texture = ObjectProperty(None, allownone=True)
    signed_in = BooleanProperty(True)  # false for a walk-in's queue number: no menu to go to

    _wanted: str | None = None  # the payload whose QR may still be shown

    def show(self, printed: bool, qr_payload: str) -> None:
        self.printed = printed
        self.qr_texture = None
        self._wanted = None if printed else qr_payload
        if not printed:
            threading.Thread(
                target=self._draw_qr, args=(qr_payload,), name="done-qr", daemon=True
            ).start()

    def _draw_qr(self, payload: str) -> None:
        """On the QR thread: the picture's pixels, handed to the UI thread's clock."""
        pixels, side = qr_pixels(payload)
        Clock.schedule_once(lambda _dt: self._show_qr(payload, pixels, side), 0)

    def _show_qr(self, payload: str, pixels: bytes, side: int) -> None:
        if payload != self._wanted:
            return  # the session ended, or another receipt came, while it was drawn
        texture = Texture.create(size=(side, side), colorfmt="rgba")
        texture.flip_vertical()  # the rows run top to bottom, GL's bottom to top
        texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
        self.qr_texture = texture

    def forget(self) -> None:
        self._wanted = None
        self.printed = True
        self.qr_texture = None
        self.signed_in = True


def qr_pixels(payload: str) -> tuple[bytes, int]:
    """The QR of ``payload`` as RGBA rows (black modules on white, with its quiet zone), top
    row first, and the picture's side in pixels."""
    code = qrcode.QRCode(box_size=1, border=QR_BORDER)
    code.add_data(payload)
    code.make(fit=True)
    dark = np.kron(np.array(code.get_matrix(), dtype=np.uint8), np.ones((QR_BOX_PX,) * 2, np.uint8))
    grey = np.where(dark == 1, 0, 255).astype(np.uint8)
    rgba = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    return rgba.tobytes(), int(grey.shape[0])


load_rules(__name__)
