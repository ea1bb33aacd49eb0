"""A trace of what an attacker does, in the server's log (logger ``central.security.audit``), so
that a
brute-force attempt or a stolen kiosk key being tried shows up where a technician looks.

No personal data: a sign-in names its subject by a prefix of the keyed hash the throttle uses
(the same NIK, card or resident gives the same prefix, so repeated guessing is visible, and
nothing in the log leads back to the NIK without the server's secret). Values a caller sent
(a kiosk id header, the path) are written only when they are plain short tokens, so a request
cannot forge log lines.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger("central.security.audit")

# Refusals of a kiosk signature: someone without the kiosk's key, a replay, a revoked or
# unknown kiosk. (clock_skew is a kiosk with a wrong clock, not an attack: not logged.)
SIGNATURE_REFUSALS = frozenset(
    {
        "signature_missing",
        "signature_malformed",
        "signature_invalid",
        "replayed",
        "kiosk_unknown",
        "kiosk_revoked",
    }
)
_SUBJECT_CHARS = 16  # of the keyed hash: enough to tell subjects apart, not to look one up
_PLAIN = re.compile(r"[A-Za-z0-9._:/-]{1,128}")


def plain(value: str | None) -> str:
    """A caller's value as it is when it is a short plain token, else a placeholder."""
    if value is None:
        return "-"
    return value if _PLAIN.fullmatch(value) else "(unprintable)"


def kiosk_refused(code: str, path: str, kiosk_id: str | None) -> None:
    if code in SIGNATURE_REFUSALS:
        log.warning(
            "kiosk request refused: reason=%s kiosk=%s path=%s", code, plain(kiosk_id), plain(path)
        )


def sign_in_failed(kiosk_id: str, subject_hash: str, reason: str, attempts_left: int) -> None:
    log.warning(
        "resident sign-in failed: reason=%s subject=%s kiosk=%s attempts_left=%d",
        reason,
        subject_hash[:_SUBJECT_CHARS],
        kiosk_id,
        attempts_left,
    )


def operator_login_failed(account_hash: str, source: str, reason: str) -> None:
    """The source address is the caller's network address, kept so it can be blocked."""
    log.warning(
        "operator sign-in failed: reason=%s account=%s source=%s",
        reason,
        account_hash[:_SUBJECT_CHARS],
        plain(source),
    )
