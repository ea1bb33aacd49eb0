"""Idle timeout with a visible countdown, driven by ``tick()`` so it needs no thread of its own
(the UI calls it from its clock; journeys and tests call it with an injected time)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class IdleTimer:
    timeout_s: float
    warning_s: float
    clock: Callable[[], float]
    _deadline: float | None = None
    _last_announced: int | None = None

    def restart(self, timeout_s: float | None = None) -> None:
        """A touch or a new screen: the full time again, countdown withdrawn."""
        self._deadline = self.clock() + (self.timeout_s if timeout_s is None else timeout_s)
        self._last_announced = None

    def stop(self) -> None:
        self._deadline = None
        self._last_announced = None

    @property
    def running(self) -> bool:
        return self._deadline is not None

    def seconds_left(self) -> float | None:
        return None if self._deadline is None else max(0.0, self._deadline - self.clock())

    def tick(self) -> tuple[int | None, bool]:
        """``(countdown second to announce or None, expired)``; each second announced once."""
        left = self.seconds_left()
        if left is None:
            return None, False
        if left <= 0:
            self.stop()
            return None, True
        if left <= self.warning_s:
            second = math.ceil(left)
            if second != self._last_announced:
                self._last_announced = second
                return second, False
        return None, False


@dataclass
class Backoff:
    """When to try again after failures: ``first_s`` after the first, doubling up to
    ``max_s``; driven by the caller's clock so it needs no thread (the session's tick asks
    ``due``). Not due before the first failure."""

    first_s: float
    max_s: float
    _next_at: float | None = None
    _wait_s: float = 0.0

    def failed(self, now: float) -> None:
        self._wait_s = self.first_s if self._next_at is None else min(self._wait_s * 2, self.max_s)
        self._next_at = now + self._wait_s

    def reset(self) -> None:
        self._next_at = None
        self._wait_s = 0.0

    def due(self, now: float) -> bool:
        return self._next_at is not None and now >= self._next_at
