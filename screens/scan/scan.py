"""Document scan: the tray's live picture with the detected page outlined (``TrayPreview``),
what to do next (guidance), how close the auto-capture is (progress), which page of how
many, and a way back to the page before (retake).

The guidance comes from the scanner's ``ScanGuidance`` events; the picture from its
``PreviewSlot``, read by the preview's own clock while this screen shows.
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty

from central.contract.models import LocalizedText
from kiosk.tray import ScanGuidance
from screens.base import KioskScreen, load_rules


class ScanScreen(KioskScreen):
    prompt = ObjectProperty(None, allownone=True)
    guidance = ObjectProperty(None, allownone=True)
    progress = NumericProperty(0)
    scanning = BooleanProperty(False)
    page = NumericProperty(0)  # 1-based page of this service's scanned documents (0: unknown)
    pages = NumericProperty(0)

    def show_step(self, prompt: LocalizedText, page: int = 0, pages: int = 0) -> None:
        self.prompt = prompt
        self.guidance = None
        self.progress = 0
        self.scanning = False
        self.page, self.pages = page, pages
        self.ids.preview.clear()  # the page before is not shown under the next one's prompt

    def guide(self, event: ScanGuidance) -> None:
        self.scanning = event.phase != "captured"
        self.guidance = event.guidance
        self.progress = event.progress * 100
        self.ids.preview.guide(event)

    def on_enter(self, *_args: Any) -> None:
        self.ids.preview.start()

    def on_leave(self, *_args: Any) -> None:
        self.ids.preview.stop()

    def forget(self) -> None:
        self.show_step(LocalizedText(id="", en=""))


load_rules(__name__)
