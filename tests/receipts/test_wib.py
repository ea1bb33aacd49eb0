"""Receipt times on the WIB clock (UTC+7), formatted the Indonesian way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kiosk.i18n import translator
from kiosk.receipts import format_datetime, format_long_date, to_wib

pytestmark = pytest.mark.in_process


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (datetime(2026, 11, 22, 16, 59, tzinfo=UTC), "22-11-2026 23:59 WIB"),
        (datetime(2026, 11, 22, 17, 0, tzinfo=UTC), "23-11-2026 00:00 WIB"),  # midnight WIB
        (datetime(2026, 11, 23, 7, 5, tzinfo=UTC), "23-11-2026 14:05 WIB"),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "01-01-2027 00:00 WIB"),  # new year
        (datetime(2028, 2, 28, 17, 30, tzinfo=UTC), "29-02-2028 00:30 WIB"),  # leap day
        (datetime(2026, 6, 1, 0, 0, tzinfo=UTC), "01-06-2026 07:00 WIB"),  # no summer time
    ],
)
def test_utc_to_wib(utc: datetime, shown: str) -> None:
    assert format_datetime(utc) == shown


def test_any_zone_in_is_the_same_instant_out() -> None:
    makassar = timezone(timedelta(hours=8), "WITA")
    assert format_datetime(datetime(2026, 11, 23, 0, 30, tzinfo=makassar)) == "22-11-2026 23:30 WIB"
    assert to_wib(datetime(2026, 11, 22, 17, 0, tzinfo=UTC)).date() == date(2026, 11, 23)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(datetime(2026, 11, 23, 14, 5))


@pytest.mark.parametrize(
    ("day", "indonesian", "english"),
    [
        (date(2026, 11, 23), "Senin, 23 November 2026", "Monday, 23 November 2026"),
        (date(2026, 8, 17), "Senin, 17 Agustus 2026", "Monday, 17 August 2026"),
        (date(2027, 1, 1), "Jumat, 1 Januari 2027", "Friday, 1 January 2027"),
        (date(2026, 5, 10), "Minggu, 10 Mei 2026", "Sunday, 10 May 2026"),
    ],
)
def test_spelled_date_in_the_session_language(day: date, indonesian: str, english: str) -> None:
    assert format_long_date(day, translator("id")) == indonesian
    assert format_long_date(day, translator("en")) == english
