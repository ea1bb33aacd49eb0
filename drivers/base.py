"""What every device shares: the status model, the project's exceptions and the registry.

The status shape follows UnifiedPOS / CEN-XFS (docs/DESIGN.md, "Device model"): a device that
did not answer is ``unknown``, never assumed fine.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from common.events import Event, EventBus


class DeviceState(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"
    BUSY = "busy"
    UNKNOWN = "unknown"


class Supply(enum.StrEnum):
    FULL = "full"
    LOW = "low"
    OUT = "out"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "n/a"


class Cover(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class DeviceKind(enum.StrEnum):
    CARD_READER = "card_reader"
    PRINTER = "printer"
    CAMERA = "camera"
    CODE_SCANNER = "code_scanner"
    DOCUMENT_PRINTER = "document_printer"


@dataclass(frozen=True)
class DeviceStatus:
    """One device's health in the shape the heartbeat sends to the centre."""

    kind: DeviceKind
    state: DeviceState = DeviceState.UNKNOWN
    supply: Supply = Supply.NOT_APPLICABLE
    cover: Cover = Cover.UNKNOWN
    last_error: str | None = None
    since: float = field(default_factory=time.time)

    def changed(self, **updates: Any) -> DeviceStatus:
        """A copy with ``updates``; ``since`` moves only when something really changed."""
        candidate = replace(self, **updates)
        if replace(candidate, since=self.since) == self:
            return self
        return replace(candidate, since=time.time())

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "state": self.state.value,
            "supply": self.supply.value,
            "cover": self.cover.value,
            "last_error": self.last_error,
            "since": self.since,
        }


@dataclass(frozen=True)
class StatusChanged(Event):
    """Published whenever a device's status differs from the last one it published."""

    device: str
    status: DeviceStatus


class DeviceError(Exception):
    """Base of every error a driver raises; the library's original error is ``__cause__``."""


class DeviceNotFound(DeviceError):
    """Configured hardware is not there. Never answered by silently using a simulator."""


class DeviceTimeout(DeviceError):
    """A blocking call ran past its timeout."""


class UnknownDriver(DeviceError):
    """Config names a driver that is not in the registry."""


T = TypeVar("T")


@dataclass(frozen=True)
class Registry(Generic[T]):
    """Config name → factory for one device kind. Lookup failures list the valid names."""

    kind: DeviceKind
    factories: Mapping[str, Callable[..., T]]

    def create(self, name: str, **options: Any) -> T:
        try:
            factory = self.factories[name]
        except KeyError:
            valid = ", ".join(sorted(self.factories))
            message = f"no {self.kind.value} driver {name!r}; choose one of: {valid}"
            raise UnknownDriver(message) from None
        return factory(**options)


class StatusReporter:
    """Keeps one device's current status and publishes ``StatusChanged`` only on a real change.

    All of a driver's threads report through one instance, so listeners see every change once,
    in order, and a driver's ``status()`` is always the last thing it published.
    """

    def __init__(self, bus: EventBus, device: str, kind: DeviceKind) -> None:
        self._bus = bus
        self._device = device
        self._status = DeviceStatus(kind=kind)
        # Re-entrant: a listener may ask the same driver for its status while we publish.
        self._lock = threading.RLock()

    @property
    def current(self) -> DeviceStatus:
        with self._lock:
            return self._status

    def update(self, **changes: Any) -> DeviceStatus:
        with self._lock:
            new = self._status.changed(**changes)
            if new is not self._status:
                self._status = new
                self._bus.publish(StatusChanged(self._device, new))
            return new
