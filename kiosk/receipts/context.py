"""What every receipt needs besides the service result: where, who, when, in which language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from central.contract.models import Office, ResidentSummary
from central.contract.services import TRACKING_OFFICE_PARAMETER
from common.nik import mask_nik
from kiosk.config.schema import tracking_template
from kiosk.i18n import Translator, translator

_DIGITS_16 = re.compile(r"\d{16}")
_CODE_AT_END = re.compile(r"([A-Z0-9-]{6,20})/?$")
# Any code a receipt prints: a tracking code (6-20), a queue code, an outbox reference (8-64).
_REFERENCE = re.compile(r"[A-Za-z0-9_-]{6,64}")
MAX_SCANNED = 2048  # longer than any receipt's QR text


@dataclass(frozen=True)
class ReceiptContext:
    """The session's facts a receipt prints; ``now`` must be timezone-aware.

    ``tracking_url`` is a template such as ``https://desa.example.id/lacak/{code}`` (the
    configured ``central.tracking_url``, else the centre's own page): when set, every QR opens
    the public tracking page on a phone (tracking shows no personal data), and the kiosk's own
    scanner still reads the code back out of it; when not, the QR holds the bare code.
    """

    office: Office
    kiosk_id: str
    language: str
    now: datetime
    resident: ResidentSummary | None = None
    tracking_url: str | None = None
    t: Translator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("ReceiptContext.now must be timezone-aware")
        if self.tracking_url is not None:
            check_tracking_url(self.tracking_url)
        object.__setattr__(self, "t", translator(self.language))

    @property
    def nik_masked(self) -> str | None:
        """The resident's NIK as printed. The centre sends it masked already; if a full NIK
        ever arrives here (a bug, an old centre), it is masked again rather than printed."""
        if self.resident is None:
            return None
        shown = self.resident.nik_masked
        return mask_nik(shown) if _DIGITS_16.fullmatch(shown) else shown

    def tracking_qr(self, code: str, *, office_scoped: bool = False) -> str:
        """What the QR of a receipt's code holds (see the class docstring). A code that is
        unique only within its office (a queue ticket's, an offline slip's reference) also
        names the office, so the public page can find it."""
        if not self.tracking_url:
            return code
        url = self.tracking_url.format(code=code)
        if office_scoped:
            separator = "&" if urlsplit(url).query else "?"
            url += separator + urlencode({TRACKING_OFFICE_PARAMETER: self.office.id})
        return url


def check_tracking_url(template: str) -> None:
    """A tracking URL template must be http(s) with exactly one ``{code}`` field."""
    try:
        tracking_template(template)
    except ValueError as problem:
        raise ValueError(f"tracking URL {template!r}: {problem}") from None


def tracking_code_from_scan(text: str) -> str | None:
    """The code in a scanned receipt QR: a bare code, or a tracking URL ending in any code a
    receipt prints (an offline slip's reference too; the office in its query is dropped).

    For the status lookup with the kiosk's code scanner or camera, whichever form the receipt
    carries; a template with the code in its query (``…/lacak?kode={code}``) is read too.
    Anything longer than any receipt's QR is no receipt's.
    """
    text = text.strip()
    if len(text) > MAX_SCANNED:
        return None
    if "://" in text:
        parts = urlsplit(text)
        queried = [v for k, v in parse_qsl(parts.query) if k != TRACKING_OFFICE_PARAMETER]
        segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
        return next((c for c in (*queried, segment) if _REFERENCE.fullmatch(c)), None)
    match = _CODE_AT_END.search(text)
    if match is None or (match.start() > 0 and text[match.start() - 1] != "/"):
        return None
    return match.group(1)
