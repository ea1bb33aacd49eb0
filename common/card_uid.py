"""One canonical form for contactless card UIDs: uppercase hex, as PC/SC ``FF CA`` returns them.

Keyboard-wedge readers type the UID as a decimal number instead (10 digits for a 4-byte UID,
up to 17 for a 7-byte one). Most of them (the common 13.56 MHz USB "ID card readers") read the
UID bytes as a little-endian integer, so the default reverses the bytes back; a reader that
does not is configured as "big". The two text forms are converted by separate functions because
a 14-digit string is a valid hex UID too: the caller knows which reader produced the text, the
text alone does not.

Card UIDs are personal data: ``log_tag`` gives a short keyed hash for correlating log lines.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Literal

ByteOrder = Literal["little", "big"]

UID_SIZES = (4, 7, 10)
HEX_UID_PATTERN = r"^(?:[0-9A-F]{2}){4,10}$"
_HEX = re.compile(HEX_UID_PATTERN, re.IGNORECASE)
_DECIMAL = re.compile(r"^[0-9]{10,17}$")
_SEPARATORS = re.compile(r"[\s:-]")
# A fresh key per process: log lines can be correlated within a run, never reversed to a UID.
_LOG_KEY = secrets.token_bytes(16)


class CardUidError(ValueError):
    """The text or bytes are not a card UID in the form the caller said they are."""


def uid_from_bytes(raw: bytes) -> str:
    """Canonical hex from the UID bytes a reader returned."""
    if len(raw) not in UID_SIZES:
        raise CardUidError(f"a card UID has 4, 7 or 10 bytes, not {len(raw)}")
    return raw.hex().upper()


def canonical_uid(text: str) -> str:
    """Uppercase hex without separators, from hex with optional ``:``, ``-`` or spaces."""
    compact = _SEPARATORS.sub("", text.strip())
    if not _HEX.fullmatch(compact):
        raise CardUidError("card UID must be 4 to 10 bytes written in hex")
    return compact.upper()


def uid_from_decimal(text: str, *, byte_order: ByteOrder = "little") -> str:
    """Canonical hex from a keyboard-wedge reader's 10–17 digit decimal UID."""
    digits = text.strip()
    if not _DECIMAL.fullmatch(digits):
        raise CardUidError("a keyboard-wedge card UID is 10 to 17 decimal digits")
    size = 4 if len(digits) <= 10 else 7
    value = int(digits)
    if value >= 1 << (8 * size):
        raise CardUidError("decimal card UID is too large for a 4- or 7-byte UID")
    raw = value.to_bytes(size, "big")
    if byte_order == "little":
        raw = raw[::-1]
    return raw.hex().upper()


def log_tag(uid_hex: str) -> str:
    """Eight hex characters that identify a UID within this process's logs and nothing more."""
    return hmac.new(_LOG_KEY, uid_hex.encode(), hashlib.sha256).hexdigest()[:8]
