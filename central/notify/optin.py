"""A resident's opt-in, taken with the submission it is about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.models import NotificationOptIn
from central.notify.phones import PhoneBox


def remember(
    db: Session, box: PhoneBox, tracking_code: str, phone: str | None, now: datetime
) -> None:
    """Keep ``phone`` (sealed) for ``tracking_code``; committed. A repeat of the submission
    keeps the first number, as it keeps the first submission."""
    if phone is None or db.get(NotificationOptIn, tracking_code) is not None:
        return
    db.add(
        NotificationOptIn(tracking_code=tracking_code, phone_sealed=box.seal(phone), created_at=now)
    )
    try:
        db.commit()
    except IntegrityError:  # the same submission delivered twice at once: the twin's stands
        db.rollback()
