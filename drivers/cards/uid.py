"""One canonical card UID: uppercase hex in the byte order PC/SC ``FF CA 00 00 00`` returns.

Keyboard-wedge readers type the UID as a decimal number: 10 digits for a 4-byte UID, 11 to 17
for a 7-byte one. Most of them (the common 13.56 MHz USB "ID card readers") print the UID bytes
read as a *little-endian* integer, so by default the bytes are reversed back; a reader that
prints big-endian is configured with ``byte_order="big"``. The rules match
``central.contract.card_uid`` (which drivers may not import), and a test keeps the two equal.

Card UIDs are personal data: ``log_tag`` gives a short keyed hash for correlating log lines.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Literal

from drivers.cards.errors import CardReadError

ByteOrder = Literal["little", "big"]

UID_SIZES = (4, 7, 10)
_HEX = re.compile(r"(?:[0-9A-F]{2}){4,10}", re.IGNORECASE)
_DECIMAL = re.compile(r"[0-9]{10,17}")
_SEPARATORS = re.compile(r"[\s:-]")
# A fresh key per process: log lines can be correlated within a run, never reversed to a UID.
_LOG_KEY = secrets.token_bytes(16)


def uid_from_bytes(raw: bytes) -> str:
    if len(raw) not in UID_SIZES:
        raise CardReadError(f"a card UID has 4, 7 or 10 bytes, not {len(raw)}")
    return raw.hex().upper()


def uid_from_hex(text: str) -> str:
    """Canonical form of hex text, allowing ``:``, ``-`` or spaces between bytes."""
    compact = _SEPARATORS.sub("", text.strip())
    if not _HEX.fullmatch(compact):
        raise CardReadError("a hex card UID is 4 to 10 bytes written as hex digits")
    return compact.upper()


def uid_from_decimal(text: str, byte_order: ByteOrder = "little") -> str:
    """Canonical hex from a wedge reader's 10-17 decimal digits (see the module docstring)."""
    digits = text.strip()
    if not _DECIMAL.fullmatch(digits):
        raise CardReadError("a decimal card UID is 10 to 17 digits")
    size = 4 if len(digits) <= 10 else 7
    value = int(digits)
    if value >= 1 << (8 * size):
        raise CardReadError("decimal card UID is too large for a 4- or 7-byte UID")
    raw = value.to_bytes(size, "big")
    return (raw[::-1] if byte_order == "little" else raw).hex().upper()


def log_tag(uid_hex: str) -> str:
    """Eight hex characters that identify a UID within this process's logs and nothing more."""
    return hmac.new(_LOG_KEY, uid_hex.encode(), hashlib.sha256).hexdigest()[:8]
