"""The one small interface every card reader driver offers the kiosk core."""

from __future__ import annotations

from typing import Protocol

from drivers.base import DeviceStatus


class CardReader(Protocol):
    """Start, stop, tell your status; cards themselves arrive as events on the bus.

    Events: ``CardPresented``, ``CardRemoved``, ``CardReadFailed`` (drivers.cards.events) and
    ``StatusChanged`` (drivers.base) with the driver's ``name`` as ``device``.
    """

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def status(self) -> DeviceStatus: ...
