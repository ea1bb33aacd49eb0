"""The event bus between device threads and the kiosk core.

Device threads publish; the session and the UI subscribe. A listener that raises is logged and
skipped so one faulty subscriber can never silence the devices for everyone else.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base class of everything published on the bus. Subclasses add typed fields."""


E = TypeVar("E", bound=Event)
Listener = Callable[[Any], None]


@dataclass
class EventBus:
    """Synchronous publish/subscribe keyed by event class (subclasses reach base listeners)."""

    _listeners: dict[type[Event], list[Listener]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, event_type: type[E], listener: Callable[[E], None]) -> Callable[[], None]:
        """Register ``listener`` for ``event_type``; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.setdefault(event_type, []).append(listener)

        def unsubscribe() -> None:
            with self._lock:
                listeners = self._listeners.get(event_type, [])
                if listener in listeners:
                    listeners.remove(listener)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Call every listener of the event's class and its bases, isolating failures."""
        with self._lock:
            targets = [
                listener
                for cls in type(event).__mro__
                if isinstance(cls, type) and issubclass(cls, Event)
                for listener in list(self._listeners.get(cls, []))
            ]
        for listener in targets:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
