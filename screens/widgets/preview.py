"""The tray's live picture with the detected page outlined (the scan screen, the technician's
camera check).

The picture is read from the scanner's ``PreviewSlot`` by this widget's own clock while it is
started (``POLL_HZ``), into one texture reused for every frame: a UI that falls behind skips
frames instead of queueing them, and no texture is made per frame. The outline comes from
the scanner's ``ScanGuidance`` events, in camera pixels, and is fitted onto the picture.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import ListProperty, NumericProperty, ObjectProperty
from kivy.uix.widget import Widget

from kiosk.tray import PreviewFrame, PreviewSlot, ScanGuidance

POLL_HZ = 30  # twice the camera's usual 15 fps, so a frame waits at most half a frame


class TrayPreview(Widget):
    texture = ObjectProperty(None, allownone=True)  # the tray's picture, one reused texture
    picture = ListProperty([0, 0, 0, 0])  # x, y, w, h of the picture inside the widget
    outline = ListProperty()  # flat x, y points in window coordinates
    frames_shown = NumericProperty(0)  # pictures drawn since the app started (bench/ui.py)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slot: PreviewSlot | None = None
        self._last = 0
        self._quad: tuple[tuple[float, float], ...] | None = None
        self._source = (0, 0)
        self.bind(size=self._place, pos=self._place)

    def start(self) -> None:
        Clock.unschedule(self._poll)
        Clock.schedule_interval(self._poll, 1 / POLL_HZ)

    def stop(self) -> None:
        Clock.unschedule(self._poll)
        self.clear()

    def guide(self, event: ScanGuidance) -> None:
        self._quad = event.quad
        if event.frame_size != (0, 0):
            self._source = event.frame_size
        self._place()

    def clear(self) -> None:
        """No outline and a black picture: nothing of a document stays on screen."""
        self._quad = None
        self.outline = []
        if self.texture is not None:
            width, height = self.texture.size
            self.texture.blit_buffer(bytes(width * height * 3), colorfmt="rgb")
            self.canvas.ask_update()

    def _poll(self, _dt: float) -> None:
        frame = self.slot.latest(self._last) if self.slot is not None else None
        if frame is not None:
            self._last = frame.number
            self._draw(frame)

    def _draw(self, frame: PreviewFrame) -> None:
        if self.texture is None or tuple(self.texture.size) != frame.size:
            texture = Texture.create(size=frame.size, colorfmt="rgb")
            texture.flip_vertical()  # the frame's rows run top to bottom, GL's bottom to top
            self.texture = texture  # made once per camera size, then refilled
        self.texture.blit_buffer(frame.rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.canvas.ask_update()
        self.frames_shown += 1
        if self._source != frame.source_size:
            self._source = frame.source_size
            self._place()

    def _place(self, *_args: Any) -> None:
        """Fit the camera's frame in the widget (aspect kept) and the outline onto it."""
        width, height = self._source
        if not width or not height:
            self.outline = []
            return
        scale = min(self.width / width, self.height / height)
        left = self.x + (self.width - width * scale) / 2
        bottom = self.y + (self.height - height * scale) / 2
        self.picture = [left, bottom, width * scale, height * scale]
        points: list[float] = []
        if self._quad:
            for x, y in (*self._quad, self._quad[0]):
                points += [left + x * scale, bottom + (height - y) * scale]
        self.outline = points
