"""The demo panel: four function keys that play the world around a simulated kiosk, for a
person trying the demo in a window (`make demo` on a desktop).

F5 taps the demo resident's e-KTP, F6 puts the next paper on the scanner tray, F7 runs the
printer out of paper (and refills it), F8 cuts the network (and restores it). A strip at the
bottom of the window lists them. Each control returns at once: the simulated devices report
what changed through the kiosk's usual paths, so the app reacts as it would to real ones.
"""

from __future__ import annotations

from itertools import cycle
from typing import Any

from kiosk.demo.tray import PHOTOS, tray_photo
from kiosk.simulated import SimulatedKiosk

KEY_F5, KEY_F6, KEY_F7, KEY_F8 = 286, 287, 288, 289  # Kivy's key codes
HINT = (
    "DEMO  F5 tempel e-KTP · F6 kertas ke baki · F7 kertas printer habis/isi · "
    "F8 jaringan putus/sambung",
    "DEMO  F5 tap e-KTP · F6 paper on the tray · F7 printer paper out/in · F8 network off/on",
)


class DemoPanel:
    def __init__(self, app: Any, kiosk: SimulatedKiosk, card_uid: str | None) -> None:
        self.app = app
        self.kiosk = kiosk
        self.card_uid = card_uid
        self.photos = cycle(PHOTOS)
        self.online = True
        self.hint: Any = None

    def attach(self, root: Any) -> None:
        from kivy.core.window import Window
        from kivy.uix.label import Label

        self.hint = Label(
            text=self._hint_text(),
            size_hint=(1, None),
            height=self.app.sizes.small * 2,
            pos_hint={"x": 0, "y": 0},
            font_size=self.app.sizes.small * 0.8,
            color=(1, 1, 1, 0.8),
        )
        root.add_widget(self.hint)
        self.app.bind(language=lambda *_args: self._relabel())
        Window.bind(on_key_down=self._on_key)

    def detach(self) -> None:
        from kivy.core.window import Window

        Window.unbind(on_key_down=self._on_key)

    def _hint_text(self) -> str:
        return HINT[0] if self.app.language == "id" else HINT[1]

    def _relabel(self) -> None:
        if self.hint is not None:
            self.hint.text = self._hint_text()

    def _on_key(self, _window: Any, key: int, *_args: Any) -> bool:
        if key == KEY_F5 and self.card_uid:
            self.kiosk.tap_card(self.card_uid)
        elif key == KEY_F6:
            self.kiosk.put_on_tray(tray_photo(next(self.photos)))
        elif key == KEY_F7:
            if self.kiosk.paper_is_out():
                self.kiosk.refill_paper()
            else:
                self.kiosk.run_out_of_paper()
        elif key == KEY_F8:
            self.online = not self.online
            self.kiosk.set_centre_reachable(self.online)
        else:
            return False
        return True
