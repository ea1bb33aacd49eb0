"""Four-key navigation (the EZ Access pattern for public kiosks): Up/Down move the focus through
every control of the screen in reading order, Enter presses the focused one, F1 (help) speaks
and shows the screen's instruction and choices. The focused control is outlined and spoken.

The keys are the keyboard's arrows, Enter and F1 unless ``[keys]`` maps others (a USB
keypad's codes). Keys arrive on the UI thread from the window; nothing here waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kivy.core.window import Window
from kivy.graphics import Color, Line
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.scrollview import ScrollView

UP, DOWN, ENTER, KEYPAD_ENTER, HELP = 273, 274, 13, 271, 282  # SDL key codes: arrows, Enter, F1
OUTLINE_PX = 6


@dataclass(frozen=True)
class KeyMap:
    """Which key codes mean which of the four actions (``[keys]`` in the config)."""

    up: frozenset[int] = field(default_factory=lambda: frozenset({UP}))
    down: frozenset[int] = field(default_factory=lambda: frozenset({DOWN}))
    select: frozenset[int] = field(default_factory=lambda: frozenset({ENTER, KEYPAD_ENTER}))
    help: frozenset[int] = field(default_factory=lambda: frozenset({HELP}))

    @classmethod
    def from_lists(cls, **codes: list[int]) -> KeyMap:
        return cls(**{action: frozenset(values) for action, values in codes.items()})

    def action(self, key: int) -> str | None:
        for name in ("up", "down", "select", "help"):
            if key in getattr(self, name):
                return name
        return None


def reading_order(widgets: list[Any]) -> list[Any]:
    """Top to bottom, then left to right, in window coordinates."""

    def key(widget: Any) -> tuple[float, float]:
        x, top = widget.to_window(widget.x, widget.top)
        return (-round(top), round(x))

    return sorted(widgets, key=key)


def reveal(widget: Any) -> None:
    """Scroll a list (the bansos programmes, the village information) so the focused control
    is on screen: a resident who cannot see the list still hears it, one who can sees it."""
    parent, seen = widget.parent, set()
    while parent is not None and id(parent) not in seen:  # the window is its own parent
        if isinstance(parent, ScrollView):
            parent.scroll_to(widget, animate=False)
            return
        seen.add(id(parent))
        parent = parent.parent


class KeyNavigator:
    def __init__(self, root: Any, router: Any, keymap: KeyMap | None = None) -> None:
        self._root = root
        self._router = router
        self._keymap = keymap or KeyMap()
        self._index = -1
        self._screen = ""
        with root.canvas.after:
            self._color = Color(1, 1, 1, 0)
            self._frame = Line(rectangle=(0, 0, 0, 0), width=OUTLINE_PX)

    def attach(self) -> None:
        Window.bind(on_key_down=self._on_key)
        self._root.ids.manager.bind(current=self._new_screen)

    def detach(self) -> None:
        Window.unbind(on_key_down=self._on_key)
        self._root.ids.manager.unbind(current=self._new_screen)

    def _new_screen(self, _manager: Any, name: str) -> None:
        """A new screen starts with nothing focused: the first Down goes to its first control."""
        self._screen, self._index = name, -1
        self._draw()

    def controls(self) -> list[Any]:
        """The pressable controls a resident sees now: the screen's and the top bar's."""
        found: list[Any] = []
        manager = self._root.ids.manager

        def walk(widget: Any) -> None:
            if widget.opacity == 0 or widget.disabled:
                return
            if widget is manager:
                walk(widget.current_screen)
                return
            if isinstance(widget, ButtonBehavior):
                found.append(widget)
            for child in widget.children:
                walk(child)

        countdown = self._root.ids.countdown
        walk(countdown if countdown.active else self._root)
        return reading_order(found)

    @property
    def focused(self) -> Any | None:
        controls = self.controls()
        return controls[self._index] if 0 <= self._index < len(controls) else None

    def _on_key(self, _window: Any, key: int, *_args: Any) -> bool:
        action = self._keymap.action(key)
        if action is None:
            return False
        self._router.touched()
        if self._screen != self._root.ids.manager.current:
            self._screen, self._index = self._root.ids.manager.current, -1
        controls = self.controls()
        if action in {"up", "down"} and controls:
            step = 1 if action == "down" else -1
            self._index = (self._index + step) % len(controls) if self._index >= 0 else 0
            reveal(controls[self._index])
            self._router.say(str(controls[self._index].text))
        elif action == "select":
            self._select(controls)
        elif action == "help":
            self._router.help([str(c.text) for c in controls])
        self._draw()
        return True

    def _select(self, controls: list[Any]) -> None:
        if 0 <= self._index < len(controls):
            controls[self._index].trigger_action(duration=0)
        elif self._root.ids.manager.current == "attract":
            self._router.wake()

    def _draw(self) -> None:
        widget = self.focused
        if widget is None:
            self._color.a = 0
            return
        x, y = widget.to_window(widget.x, widget.y)
        self._color.rgba = (1, 1, 1, 1)
        self._frame.rectangle = (
            x - OUTLINE_PX,
            y - OUTLINE_PX,
            widget.width + 2 * OUTLINE_PX,
            widget.height + 2 * OUTLINE_PX,
        )
