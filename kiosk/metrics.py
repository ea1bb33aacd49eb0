"""The metrics hook: how production parts tell a benchmark where time went, without keeping
stopwatches of their own.

A part that waits on the outside world (the centre, the outbox sender, the camera) reports
each wait to the ``Metrics`` it was built with; the kiosk passes ``NO_METRICS`` and pays one
no-op call, a benchmark passes a ``WaitTally`` and subtracts the waits from its timings.
"""

from __future__ import annotations

import threading
from typing import Protocol


class Metrics(Protocol):
    def waited(self, source: str, seconds: float) -> None:
        """``seconds`` spent waiting on ``source`` ("http", "outbox", "camera")."""


class NoMetrics:
    def waited(self, source: str, seconds: float) -> None:
        """Nothing is kept."""


NO_METRICS: Metrics = NoMetrics()


class WaitTally:
    """Adds up waits per source; any thread may report."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_source: dict[str, float] = {}

    def waited(self, source: str, seconds: float) -> None:
        with self._lock:
            self._by_source[source] = self._by_source.get(source, 0.0) + seconds

    def total_s(self) -> float:
        with self._lock:
            return sum(self._by_source.values())
