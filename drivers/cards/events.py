"""What card readers publish on the bus, whatever the reader technology.

UIDs are personal data: the field is left out of ``repr`` so an event that ends up in a log
line or a traceback does not carry it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from common.events import Event


class CardKind(enum.StrEnum):
    EKTP_TYPE_A = "ektp-a"
    EKTP_TYPE_B = "ektp-b"
    OTHER = "other"


@dataclass(frozen=True)
class CardPresented(Event):
    """A card was read: ``uid_hex`` is canonical (uppercase hex, PC/SC byte order)."""

    reader: str
    uid_hex: str = field(repr=False)
    atr_hex: str = field(repr=False)
    kind: CardKind


@dataclass(frozen=True)
class CardRemoved(Event):
    """The card left the reader (only readers that can tell: PC/SC and the simulator)."""

    reader: str


@dataclass(frozen=True)
class CardReadFailed(Event):
    """A card is there but its UID could not be read; ``reason`` is for people, not parsing."""

    reader: str
    reason: str
