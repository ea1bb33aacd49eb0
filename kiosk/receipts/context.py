"""What every receipt needs besides the service result: where, who, when, in which language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from central.contract.models import Office, ResidentSummary
from common.nik import mask_nik
from kiosk.i18n import Translator, translator

_DIGITS_16 = re.compile(r"\d{16}")
_CODE_AT_END = re.compile(r"([A-Z0-9-]{6,20})/?$")


@dataclass(frozen=True)
class ReceiptContext:
    """The session's facts a receipt prints; ``now`` must be timezone-aware.

    ``tracking_url`` is a template such as ``https://desa.example.id/lacak/{code}``: when set,
    the QR opens the public tracking page on a phone (tracking shows no personal data); when
    not, the QR holds the bare code, which the kiosk's own scanner reads back for a lookup.
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

    def tracking_qr(self, code: str) -> str:
        """What the QR of a tracking code holds (see the class docstring)."""
        return self.tracking_url.format(code=code) if self.tracking_url else code


def check_tracking_url(template: str) -> None:
    """A tracking URL template must be http(s) with exactly one ``{code}`` field."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"tracking URL {template!r} must be an http(s) URL with a host")
    if template.count("{code}") != 1 or template.replace("{code}", "").count("{") > 0:
        raise ValueError(f"tracking URL {template!r} needs exactly one {{code}} and no other field")


def tracking_code_from_scan(text: str) -> str | None:
    """The tracking code in a scanned receipt QR: a bare code or a tracking URL ending in one.

    For the status lookup with the kiosk's code scanner, whichever form the receipt carries.
    """
    text = text.strip()
    if "://" in text:
        text = urlsplit(text).path
    match = _CODE_AT_END.search(text)
    if match is None or (match.start() > 0 and text[match.start() - 1] != "/"):
        return None
    return match.group(1)
