"""Progress the resident can see moving while the kiosk sends or prints."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.progressbar import ProgressBar

STEP = 4  # percent per frame tick: one sweep about every 1.5 s
PERIOD_S = 1 / 16


class BusyBar(ProgressBar):
    """An indeterminate bar: the session does not report percentages of an HTTP call."""

    running = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._event = Clock.schedule_interval(self._step, PERIOD_S)
        self._event.cancel()

    def start(self) -> None:
        self.value = 0
        self._event()

    def stop(self) -> None:
        self._event.cancel()

    def _step(self, _dt: float) -> None:
        self.value = (self.value + STEP) % (self.max + STEP)
