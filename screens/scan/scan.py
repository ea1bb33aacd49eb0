"""Document scan: the tray's live picture with the detected page outlined, what to do next
(guidance), how close the auto-capture is (progress), which page of how many, and a way back
to the page before (retake).

The outline and the guidance come from the scanner's ``ScanGuidance`` events; the picture is
read from the scanner's ``PreviewSlot`` by this screen's own clock while it shows
(``POLL_HZ``), into one texture reused for every frame: a UI that falls behind skips frames
instead of queueing them, and no texture is made per frame.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
)

from central.contract.models import LocalizedText
from kiosk.scanning import PreviewFrame, PreviewSlot, ScanGuidance
from screens.base import KioskScreen, load_rules

POLL_HZ = 30  # twice the camera's usual 15 fps, so a frame waits at most half a frame


class ScanScreen(KioskScreen):
    prompt = ObjectProperty(None, allownone=True)
    guidance = ObjectProperty(None, allownone=True)
    progress = NumericProperty(0)
    scanning = BooleanProperty(False)
    outline = ListProperty()  # flat x, y points in window coordinates
    texture = ObjectProperty(None, allownone=True)  # the tray's picture, one reused texture
    picture = ListProperty([0, 0, 0, 0])  # x, y, w, h of the picture inside the preview box
    page = NumericProperty(0)  # 1-based page of this service's scanned documents (0: unknown)
    pages = NumericProperty(0)
    frames_shown = NumericProperty(0)  # pictures drawn since the app started (bench/ui.py's fps)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slot: PreviewSlot | None = None
        self._last = 0
        self._quad: tuple[tuple[float, float], ...] | None = None
        self._source = (0, 0)

    def show_step(self, prompt: LocalizedText, page: int = 0, pages: int = 0) -> None:
        self.prompt = prompt
        self.guidance = None
        self.progress = 0
        self.scanning = False
        self.outline = []
        self._quad = None
        self.page, self.pages = page, pages
        self._blank()  # the page before is not shown under the next one's prompt

    def guide(self, event: ScanGuidance) -> None:
        self.scanning = event.phase != "captured"
        self.guidance = event.guidance
        self.progress = event.progress * 100
        self._quad = event.quad
        if event.frame_size != (0, 0):
            self._source = event.frame_size
        self._place()

    # ------------------------------------------------------------------ the picture

    def on_enter(self, *_args: Any) -> None:
        Clock.schedule_interval(self._poll, 1 / POLL_HZ)

    def on_leave(self, *_args: Any) -> None:
        Clock.unschedule(self._poll)
        self._blank()

    def _poll(self, _dt: float) -> None:
        frame = self.slot.latest(self._last) if self.slot is not None else None
        if frame is None:
            return
        self._last = frame.number
        self._draw(frame)

    def _draw(self, frame: PreviewFrame) -> None:
        if self.texture is None or tuple(self.texture.size) != frame.size:
            texture = Texture.create(size=frame.size, colorfmt="rgb")
            texture.flip_vertical()  # the frame's rows run top to bottom, GL's bottom to top
            self.texture = texture  # made once per camera size, then refilled
        self.texture.blit_buffer(frame.rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.ids.preview.canvas.ask_update()
        self.frames_shown += 1
        if self._source != frame.source_size:
            self._source = frame.source_size
            self._place()

    def _blank(self) -> None:
        """Nothing of the tray stays on screen once the scan is left."""
        if self.texture is not None:
            size = tuple(self.texture.size)
            self.texture.blit_buffer(bytes(size[0] * size[1] * 3), colorfmt="rgb")
            self.ids.preview.canvas.ask_update()

    def on_size(self, *_args: Any) -> None:
        self._place()

    def _place(self) -> None:
        """Fit the camera's frame in the preview box (aspect kept) and the outline onto it."""
        preview: Any = self.ids.get("preview")
        width, height = self._source
        if preview is None or not width or not height:
            self.outline = []
            return
        scale = min(preview.width / width, preview.height / height)
        left = preview.x + (preview.width - width * scale) / 2
        bottom = preview.y + (preview.height - height * scale) / 2
        self.picture = [left, bottom, width * scale, height * scale]
        points: list[float] = []
        if self._quad:
            for x, y in (*self._quad, self._quad[0]):
                points += [left + x * scale, bottom + (height - y) * scale]
        self.outline = points

    def forget(self) -> None:
        self.show_step(LocalizedText(id="", en=""))


load_rules(__name__)
