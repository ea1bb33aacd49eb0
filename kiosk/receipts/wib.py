"""Dates and times as a resident in Western Indonesia reads them: ``23-11-2026 14:05 WIB``.

Day-first with dashes is how Indonesian forms and OpenSID print dates; a spelled date uses the
session language's month and day names. The clock itself (``WIB``, ``to_wib``) is shared with the
centre from ``common.wib``.
"""

from __future__ import annotations

from datetime import date, datetime

from common.wib import to_wib
from kiosk.i18n import N_, Translator

MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
WEEKDAYS = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
    N_("Saturday"), N_("Sunday"),
)  # fmt: skip


def format_datetime(moment: datetime) -> str:
    """``23-11-2026 14:05 WIB``: the same in both languages, like the date on a KTP."""
    return to_wib(moment).strftime("%d-%m-%Y %H:%M WIB")


def format_long_date(day: date, t: Translator) -> str:
    """``Senin, 23 November 2026`` / ``Monday, 23 November 2026``: not strftime, whose names
    follow the process locale rather than the resident's choice."""
    weekday = t(WEEKDAYS[day.weekday()])
    month = t(MONTHS[day.month - 1])
    return t("{weekday}, {day} {month} {year}", weekday=weekday, day=day.day, month=month,
             year=day.year)  # fmt: skip
