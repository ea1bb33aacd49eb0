"""Document scan: where the page is on the tray (its outline), what to do next (guidance) and
how close the auto-capture is (progress).

The outline and the guidance come from the scanner's ``ScanGuidance`` events; the camera's
frames themselves stay in the core (no frame is copied to the UI yet: see docs/screens.md).
"""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty

from central.contract.models import LocalizedText
from kiosk.scanning import ScanGuidance
from screens.base import KioskScreen, load_rules


class ScanScreen(KioskScreen):
    prompt = ObjectProperty(None, allownone=True)
    guidance = ObjectProperty(None, allownone=True)
    progress = NumericProperty(0)
    scanning = BooleanProperty(False)
    outline = ListProperty()  # flat x, y points in the preview widget's coordinates

    def show_step(self, prompt: LocalizedText) -> None:
        self.prompt = prompt
        self.guidance = None
        self.progress = 0
        self.scanning = False
        self.outline = []

    def guide(self, event: ScanGuidance) -> None:
        self.scanning = True
        self.guidance = event.guidance
        self.progress = event.progress * 100
        self.outline = self._fit(event.quad, event.frame_size) if event.quad else []

    def _fit(
        self, quad: tuple[tuple[float, float], ...], frame_size: tuple[int, int]
    ) -> list[float]:
        """Frame pixels (y down) to the preview's coordinates (y up), keeping the aspect."""
        preview: Any = self.ids.preview
        width, height = frame_size
        scale = min(preview.width / width, preview.height / height) if width and height else 0
        left = preview.x + (preview.width - width * scale) / 2
        bottom = preview.y + (preview.height - height * scale) / 2
        points: list[float] = []
        for x, y in (*quad, quad[0]):
            points += [left + x * scale, bottom + (height - y) * scale]
        return points

    def forget(self) -> None:
        self.show_step(LocalizedText(id="", en=""))


load_rules(__name__)
