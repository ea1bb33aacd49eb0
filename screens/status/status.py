"""Status check before signing in: the code printed on a receipt, typed on the keyboard or read
from the receipt's QR by the tray camera ("Pindai QR"), and the request's status as the centre
tells it (no personal data: anyone holding the receipt may ask). A code held to the serial
code scanner lands here too (``Router`` shows this screen with the answer). Answers come back
through the clock; nothing here waits for the centre or the camera: the QR is decoded on the
camera's own watch thread, and only its picture is read here, from the preview slot.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ObjectProperty

from central.contract.models import LocalizedText
from central.contract.services import TrackedItem
from screens.base import KioskScreen, load_rules


class StatusScreen(KioskScreen):
    answer = ObjectProperty(None, allownone=True)  # LocalizedText to show, or None
    asking = BooleanProperty(False)
    watching = BooleanProperty(False)  # the camera looks for the receipt's QR

    def check(self) -> None:
        code = str(self.ids.keyboard.value)
        if not code.strip() or self.asking:
            return
        self.stop_watching()
        self.asking = True
        App.get_running_app().router.track(code, self.show)

    def toggle_watch(self) -> None:
        """ "Pindai QR": show the tray and look for the QR, or stop looking."""
        if self.watching:
            self.stop_watching()
            return
        self.answer = None
        self.watching = True
        self.ids.preview.start()
        App.get_running_app().router.watch_receipt_qr(self._watch_refused)

    def _watch_refused(self, reason: LocalizedText | None) -> None:
        if reason is not None:
            self._end_watch()
            self.answer = reason

    def stop_watching(self) -> None:
        if self.watching:
            self._end_watch()
            App.get_running_app().router.stop_receipt_qr()

    def _end_watch(self) -> None:
        self.watching = False
        self.ids.preview.stop()

    def show(self, result: TrackedItem | LocalizedText) -> None:
        """The centre's answer (or what to say instead); ends a camera watch."""
        self.asking = False
        if self.watching:
            self._end_watch()  # the watch found the code (or gave up): it has ended itself
        if isinstance(result, TrackedItem):
            self.answer = LocalizedText(
                id=f"{result.tracking_code} · {result.title.id}: {result.status_label.id}",
                en=f"{result.tracking_code} · {result.title.en}: {result.status_label.en}",
            )
        else:
            self.answer = result

    def on_pre_enter(self, *_args: Any) -> None:
        self.forget()

    def on_leave(self, *_args: Any) -> None:
        self.stop_watching()

    def forget(self) -> None:
        self.stop_watching()
        self.answer = None
        self.asking = False
        self.ids.keyboard.value = ""


load_rules(__name__)
