"""Card kind from the ATR, with the masks in FIELD-NOTES.md (pcsc-tools' smartcard_list.txt).

A contactless card has no real ATR: the PC/SC reader builds one (PC/SC part 3, 3.1.3.2.3),
so the bytes that identify e-KTP are stable per card family while Type B carries four bytes of
the card's own ATQB application data (and the checksum that follows from them).
"""

from __future__ import annotations

from drivers.cards.events import CardKind

# ``None`` marks a byte that differs from card to card.
_MASKS: tuple[tuple[CardKind, tuple[int | None, ...]], ...] = (
    (
        CardKind.EKTP_TYPE_A,
        (0x3B, 0x8B, 0x80, 0x01, 0x65, 0x4B, 0x54, 0x50, 0x30, 0x44, 0x32, 0x65, 0x4B, 0x54,
         0x50, 0x4C),
    ),
    (
        CardKind.EKTP_TYPE_B,
        (0x3B, 0x8C, 0x80, 0x01, 0x50, None, None, None, None, 0x30, 0xAA, 0xAA, 0x01, 0x77,
         0x81, 0xD7, None),
    ),
)


def card_kind(atr: bytes) -> CardKind:
    for kind, mask in _MASKS:
        if len(atr) != len(mask):
            continue
        if all(m is None or m == b for m, b in zip(mask, atr, strict=True)):
            return kind
    return CardKind.OTHER
