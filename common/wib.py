"""Western Indonesian Time, the clock of Java and Sumatra: the kiosk's receipts and the
centre's queue days must agree on it.

WIB is UTC+7 all year (Indonesia has had no daylight saving since 1964), so a fixed offset is
exact and needs no tz database on the kiosk.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
# The months in Indonesian, January first: dates on letters and public pages are written out.
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def to_wib(moment: datetime) -> datetime:
    """The same instant on the WIB clock. A naive datetime is refused: its zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware (e.g. datetime.now(UTC))")
    return moment.astimezone(WIB)
