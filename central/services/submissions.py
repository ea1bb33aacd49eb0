"""What every kiosk submission (letter, complaint, bansos application, queue ticket) shares:
it is created exactly once per ``(kiosk, local_ref)``, and its ``submitted_at`` is checked.

The kiosk's outbox may deliver a submission minutes or days after the resident pressed submit,
and may deliver it twice (a lost answer, a restart between sending and confirming). The
``local_ref`` it chose when queuing is the submission's identity: a repeat gets the first
result back, whatever Idempotency-Key it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.settings import CentralSettings

T = TypeVar("T")

_ATTEMPTS = 5


def create_once(db: Session, find: Callable[[], T | None], create: Callable[[], T]) -> T:
    """The row ``find`` sees, else the one ``create`` adds (committed).

    Two deliveries of the same submission racing each other, or a drawn tracking code that is
    already taken, both surface as an IntegrityError at commit. The attempt is rolled back
    whole and run again: the next ``find`` sees the twin, or ``create`` draws a new code.
    """
    for _ in range(_ATTEMPTS):
        existing = find()
        if existing is not None:
            return existing
        try:
            created = create()
            db.commit()
        except IntegrityError:
            db.rollback()
            continue
        return created
    raise ApiError(
        409,
        "submission_conflict",
        "Pengajuan bertabrakan dengan pengajuan lain. Coba lagi sebentar.",
        "The submission collided with another one. Retry shortly.",
    )


def check_submitted_at(submitted_at: datetime, now: datetime, settings: CentralSettings) -> None:
    """A zone-less time is ambiguous (WIB or UTC?), a future one is a broken kiosk clock, and
    one older than a submission grant lasts (year 0001, say) cannot come from an outbox."""
    if submitted_at.tzinfo is None or submitted_at.utcoffset() is None:
        raise ApiError(
            422,
            "submitted_at_invalid",
            "Waktu pengajuan harus memuat zona waktu.",
            "submitted_at must carry a time zone offset.",
            {"field": "submitted_at"},
        )
    oldest = now - timedelta(seconds=settings.submission_grant_ttl_s + settings.max_clock_skew_s)
    if submitted_at < oldest:  # no outbox holds a submission longer than its grant lasts
        raise ApiError(
            422,
            "submitted_at_invalid",
            "Waktu pengajuan terlalu lama di masa lalu: periksa jam kios.",
            "submitted_at lies too far in the past: check the kiosk's clock.",
            {"field": "submitted_at"},
        )
    if submitted_at - now > timedelta(seconds=settings.max_clock_skew_s):
        raise ApiError(
            422,
            "submitted_at_invalid",
            "Waktu pengajuan ada di masa depan: periksa jam kios.",
            "submitted_at lies in the future: check the kiosk's clock.",
            {"field": "submitted_at"},
        )
