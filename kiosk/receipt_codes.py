"""The code in whatever a receipt's QR (or a code scanner reading it) gives back: the public
tracking URL the receipt printed (``https://…/lacak/SKT-7K3M9Q?kantor=…``, or a template that
puts the code in its query), or the bare code itself.

Only the shape is checked here; whether the code exists is the centre's answer. Nothing read is
logged: a code scanner reads whatever is held to it, a resident's ID card's barcode included.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from central.contract.services import TRACKING_OFFICE_PARAMETER

# Every code a receipt prints, as the centre's lookup takes them (central.services.tracking).
_CODE = re.compile(r"[A-Za-z0-9_-]{6,64}")
MAX_READ = 2048  # longer than any receipt's URL: anything longer is not one


def code_in(text: str) -> str | None:
    """The receipt's code in ``text``, or None when it holds none."""
    text = text.strip()
    if not text or len(text) > MAX_READ:
        return None
    if _CODE.fullmatch(text):
        return text
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"}:
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    queried = [v for k, v in parse_qsl(parts.query) if k != TRACKING_OFFICE_PARAMETER]
    for candidate in [*queried, *segments[-1:]]:  # a template with the code in its query
        if _CODE.fullmatch(candidate):
            return candidate
    return None
