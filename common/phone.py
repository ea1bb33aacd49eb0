"""Indonesian mobile numbers, shared by the kiosk (keypad entry) and the centre (opt-in for
notifications): one rule for what is accepted, one canonical form, one way to mask.

A mobile number is ``08`` then 8 to 11 more digits (10 to 13 digits in all, as the operators
issue them). Residents write it as ``0812-3456-7890``, ``+62 812 3456 7890`` or
``6281234567890``; all of them become ``+6281234567890`` (E.164, what SMS and WhatsApp
gateways take). A phone number is personal data: it is shown masked (``0812****7890``).
"""

from __future__ import annotations

import re

COUNTRY_PREFIX = "+62"
_SEP = "[ .()-]*"  # what residents put between digits: spaces, dots, dashes, brackets
MOBILE_PATTERN = rf"^{_SEP}(\+{_SEP}6{_SEP}2|6{_SEP}2|0){_SEP}8({_SEP}[0-9]){{8,11}}{_SEP}$"
"""What is accepted, separators included (also the wire schema's ``pattern``): +62, 62 or 0,
then 8 and 8 to 11 more digits."""
MAX_LOCAL_DIGITS = 13
"""The longest number in its local form (``08`` then 11 more digits): a keypad's limit."""
_MOBILE = re.compile(MOBILE_PATTERN)
_SEPARATORS = re.compile(r"[ .()-]")
_SHOWN_DIGITS = 4  # leading and trailing digits a masked number keeps


class InvalidPhone(ValueError):
    """Not an Indonesian mobile number; the message never repeats the input."""


def normalise_mobile(text: str) -> str:
    """The canonical ``+628…`` form of an Indonesian mobile number, else ``InvalidPhone``."""
    text = text.strip()
    if _MOBILE.fullmatch(text) is None:
        raise InvalidPhone("not an Indonesian mobile number (08…, 10 to 13 digits)")
    digits = _SEPARATORS.sub("", text).removeprefix("+")
    return COUNTRY_PREFIX + digits.removeprefix("62" if digits.startswith("62") else "0")


def local_form(phone: str) -> str:
    """``+6281234567890`` → ``081234567890``, how residents read their own number."""
    return "0" + normalise_mobile(phone).removeprefix(COUNTRY_PREFIX)


def mask_phone(phone: str) -> str:
    """``0812****7890``: enough for a resident to recognise their number, not to call it."""
    digits = local_form(phone)
    hidden = len(digits) - 2 * _SHOWN_DIGITS
    return digits[:_SHOWN_DIGITS] + "*" * hidden + digits[-_SHOWN_DIGITS:]
