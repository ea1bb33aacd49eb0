"""Widgets hidden with ``opacity: 0`` are not drawn at all.

The screens hide what does not apply with ``opacity: 0`` (the keypad while the keyboard is
up, the countdown overlay until a timeout nears, the toast between notices), which keeps
layouts steady. But Kivy still runs a transparent widget's drawing, and the GPU pays for
every pixel it covers as if it showed: on the test machine's software GL a full-screen
rectangle at opacity 0 cost 14-30 ms of every frame, as much as an opaque one, and with
the invisible countdown overlay and a hidden keyboard that was most of a long frame. A slow
kiosk GPU pays the same way.

So while a widget's opacity is 0 its canvas (its own drawing and its children's) sits
inside an empty scissor box, which the GPU skips before shading a pixel. Showing it again
takes the box away. Nothing changes on screen: the widget was invisible either way.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.uix.screenmanager import ScreenManager
from kivy.uix.widget import Widget

_boxed: WeakKeyDictionary[Widget, tuple[ScissorPush, ScissorPop]] = WeakKeyDictionary()
_watched: WeakKeyDictionary[Widget, bool] = WeakKeyDictionary()


def skip_drawing_unseen(root: Widget) -> None:
    """Watch the opacity of ``root`` and every widget under it, screens not shown included.

    Call it once the widget tree is built; widgets added later are watched when it is called
    again on them (calling it twice on a widget is harmless).
    """
    for widget in _every_widget(root):
        if widget in _watched or widget.canvas is None:
            continue
        _watched[widget] = True
        widget.fbind("opacity", _follow_opacity)
        _follow_opacity(widget, widget.opacity)


def is_skipped(widget: Widget) -> bool:
    """Whether the widget's drawing is boxed away (for tests and the bench)."""
    return widget in _boxed


def _every_widget(root: Widget) -> list[Widget]:
    """The tree under ``root``; a ScreenManager's screens count whether shown or not."""
    found: list[Widget] = []
    pending = [root]
    while pending:
        widget = pending.pop()
        found.append(widget)
        pending.extend(widget.children)
        if isinstance(widget, ScreenManager):
            pending.extend(screen for screen in widget.screens if screen not in widget.children)
    return found


def _follow_opacity(widget: Widget, opacity: float) -> None:
    box = _boxed.get(widget)
    if opacity == 0 and box is None:
        box = ScissorPush(x=0, y=0, width=0, height=0), ScissorPop()
        widget.canvas.before.insert(0, box[0])
        widget.canvas.after.add(box[1])
        _boxed[widget] = box
    elif opacity != 0 and box is not None:
        widget.canvas.before.remove(box[0])
        widget.canvas.after.remove(box[1])
        del _boxed[widget]
