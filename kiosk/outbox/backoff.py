"""When to try an item again after a failed delivery.

Exponential, so a kiosk offline for a day sends a handful of requests an hour instead of
thousands; capped at ``outbox.max_backoff_s`` so it is back within minutes of the link
returning (``Outbox.wake()`` skips the wait at once on a network change); jittered, so a
village's kiosks coming back after a power cut do not all hit the centre in the same second.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    max_s: float
    base_s: float = 1.0
    random: Callable[[], float] = field(default=random.random)

    def __post_init__(self) -> None:
        if not 0 < self.base_s <= self.max_s:
            raise ValueError("backoff needs 0 < base_s <= max_s")

    def ceiling(self, attempts: int) -> float:
        """The longest wait after ``attempts`` failures: base, 2×base, 4×base … max."""
        exponent = min(max(attempts, 1) - 1, 62)
        return min(self.max_s, self.base_s * 2.0**exponent)

    def delay(self, attempts: int, retry_after_s: float | None = None) -> float:
        """Equal jitter: uniform in [ceiling/2, ceiling], so there is always a real pause.
        A server's Retry-After is honoured as a floor, still capped at ``max_s``."""
        ceiling = self.ceiling(attempts)
        wait = ceiling / 2 + ceiling / 2 * self.random()
        if retry_after_s is not None and retry_after_s > wait:
            wait = min(retry_after_s, self.max_s)
        return wait
