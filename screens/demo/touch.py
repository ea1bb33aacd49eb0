"""A finger's touch on the window, as Kivy's input providers post one.

Kivy ships the same thing as ``kivy.tests.common.UnitTestTouch``, but importing that module
imports pytest and unittest with it: some 12 MB and 200 modules in the demo's and the
benchmark's app process that a resident's kiosk never carries (docs/screens.md, memory).
"""

from __future__ import annotations

from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class ScriptedTouch(MotionEvent):
    """One touch at window coordinates (x, y): ``down()``, then ``up()``."""

    def __init__(self, x: float, y: float) -> None:
        window = EventLoop.window
        position = {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}
        super().__init__("ScriptedTouch", 99, position, is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, Any]) -> None:
        self.sx = args["x"]  # the position as a share of the window, as providers give it
        self.sy = args["y"]
        super().depack(args)

    def down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def up(self) -> None:
        EventLoop.post_dispatch_input("end", self)
