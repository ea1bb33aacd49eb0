"""Collects events from a bus so tests can wait for them (waits have generous timeouts and
never assert on speed: speed lives in bench/)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from common.events import Event, EventBus
from drivers.base import DeviceState, StatusChanged

E = TypeVar("E", bound=Event)
WAIT = 15.0


class Recorder:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        self._changed = threading.Condition()
        bus.subscribe(Event, self._record)

    def _record(self, event: Event) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: type[E]) -> list[E]:
        with self._changed:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(
        self, kind: type[E], where: Callable[[E], bool] = lambda _: True, after: int = 0,
        timeout: float = WAIT,
    ) -> E:
        """The first ``kind`` event at index >= ``after`` matching ``where``."""

        def found() -> E | None:
            for event in self.events[after:]:
                if isinstance(event, kind) and where(event):
                    return event
            return None

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"no {kind.__name__} within {timeout} s; got {self.events}")
            event = found()
            assert event is not None
            return event

    def wait_state(self, state: DeviceState, after: int = 0) -> StatusChanged:
        return self.wait_for(StatusChanged, lambda e: e.status.state == state, after)

    def mark(self) -> int:
        with self._changed:
            return len(self.events)
