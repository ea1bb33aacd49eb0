"""Who made a request, as plain values: what handlers need, without ORM objects.

Authentication reads a kiosk with one narrow query instead of loading the full ORM object and
its office on every signed request (the hot path of 80,000 kiosks pinging every minute).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignedKiosk:
    """The kiosk whose signature a request carries: checked against its enrolled key; by the
    time a handler sees it, also found not revoked (``kiosk_auth.refused_kiosks``)."""

    id: str
    office_id: str
