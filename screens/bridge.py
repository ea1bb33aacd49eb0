"""The only door between the screens and the session: events in through Kivy's clock, intents
out through the session's owner.

Screens never call the session directly and never wait for it: an intent is posted and its
future's answer (when a screen needs one, e.g. the menu's services) comes back through the same
clock, so the UI thread only ever runs short callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kivy.clock import Clock

from common.events import Event
from kiosk.session.machine import Session
from kiosk.session.owner import SessionOwner

T = TypeVar("T")


def on_ui_thread(call: Callable[[], None]) -> None:
    """The dispatcher handed to the owner: run ``call`` at the UI's next frame."""
    Clock.schedule_once(lambda _dt: call(), 0)


class SessionBridge:
    def __init__(self, owner: SessionOwner) -> None:
        self._owner = owner
        self._stops: list[Callable[[], None]] = []

    def observe(self, event_type: type[Event], listener: Callable[[Any], None]) -> None:
        self._stops.append(self._owner.observe(event_type, listener, on_ui_thread))

    def close(self) -> None:
        for stop in self._stops:
            stop()
        self._stops.clear()

    def post(self, intent: Callable[[Session], Any]) -> None:
        """Fire and forget: the owner logs a failing intent; the screen hears the outcome
        through the session's events."""
        self._owner.post(intent)

    def ask(self, question: Callable[[Session], T], answer: Callable[[T], None]) -> None:
        """Run ``question`` on the owner and give its result to ``answer`` on the UI thread."""

        def done(future: Future[T]) -> None:
            if future.exception() is None:
                result = future.result()
                on_ui_thread(lambda: answer(result))

        self._owner.post(question).add_done_callback(done)
