"""The session's one owner: a thread that runs every intent and device event in order.

Drivers publish on their own threads and the touchscreen calls from Kivy's; neither may run
the session (no lock guards it) nor wait for it (sign-in does HTTP with retries, the scan step
waits for frames). So everything is posted here as a small function of the session and
returns at once; the owner runs them one by one, and ticks the idle timer itself between them.

Observers choose how the session's events reach them (``observe(..., dispatch=...)``): the
touchscreen hands them to Kivy's ``Clock.schedule_once``, tests and journeys run them inline
on the owner's thread.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from common.events import Event
from kiosk.session.machine import Session

log = logging.getLogger(__name__)

T = TypeVar("T")
E = TypeVar("E", bound=Event)
Intent = Callable[[Session], T]
Dispatch = Callable[[Callable[[], None]], None]

TICK_S = 1.0  # the idle countdown announces whole seconds
STOP_WAIT_S = 5.0  # how long stop() waits for the intent that is running to finish


def inline(call: Callable[[], None]) -> None:
    """Run the observer at once, on the owner's thread (tests, journeys, the health loop)."""
    call()


@dataclass(frozen=True)
class _Job:
    intent: Intent[Any]
    future: Future[Any]


class SessionOwner:
    """Owns ``session`` on its own thread from ``start()`` to ``stop()``."""

    def __init__(
        self,
        session: Session,
        *,
        tick_s: float = TICK_S,
    ) -> None:
        """``tick_s``: how often the owner ticks the idle timer (the session's own clock
        decides what a tick means)."""
        self.session = session
        self._tick_s = tick_s
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="session-owner", daemon=True)
        self._ready = threading.Event()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def stop(self, timeout_s: float = STOP_WAIT_S) -> bool:
        """Finish what was posted, then stop; True when the thread ended in time."""
        if not self._thread.is_alive():
            return True
        self._jobs.put(None)
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    # ------------------------------------------------------------------ posting

    def post(self, intent: Intent[T]) -> Future[T]:
        """Queue ``intent(session)`` and return at once; the future holds its result."""
        future: Future[T] = Future()
        self._jobs.put(_Job(intent, future))
        return future

    def call(self, intent: Intent[T], timeout_s: float | None = None) -> T:
        """Post and wait for the result: for scripts and tests, never for a UI thread."""
        if threading.current_thread() is self._thread:
            return intent(self.session)  # already on the owner: waiting would deadlock
        return self.post(intent).result(timeout_s)

    def observe(
        self, event_type: type[E], listener: Callable[[E], None], dispatch: Dispatch = inline
    ) -> Callable[[], None]:
        """Deliver the session's ``event_type`` events to ``listener`` through ``dispatch``;
        returns a function that stops it."""

        def deliver(event: E) -> None:
            dispatch(lambda: listener(event))

        return self.session.bus.subscribe(event_type, deliver)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        self.session.bind_owner()
        self._ready.set()
        next_tick = time.monotonic() + self._tick_s
        while True:
            now = time.monotonic()
            if now >= next_tick:  # ticks keep their pace even under a stream of intents
                next_tick = now + self._tick_s
                self._execute(_Job(Session.tick, Future()))
                continue
            try:
                job = self._jobs.get(timeout=next_tick - now)
            except queue.Empty:
                continue
            if job is None:
                return
            self._execute(job)

    def _execute(self, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        try:
            job.future.set_result(job.intent(self.session))
        except Exception as error:  # noqa: BLE001 - one bad intent must not stop the kiosk
            # The type and the place only: an exception's text can quote what a resident typed.
            frame = traceback.extract_tb(error.__traceback__)[-1:]
            where = f"{frame[0].filename}:{frame[0].lineno}" if frame else "?"
            log.error("session intent failed: %s at %s", type(error).__name__, where)
            job.future.set_exception(error)
