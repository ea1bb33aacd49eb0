"""Queue tickets: per office, counter and day, numbered 'A-001' upwards, with how many are
waiting ahead.

The day is the office's calendar day in WIB (UTC+7; Banyuwangi is in Java): numbering
restarts at local midnight, not at 07:00 when UTC's date changes.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.contract.models import WireModel
from central.errors import ApiError
from central.models import QueueTicket
from central.security.callers import SignedKiosk
from central.services.submissions import create_once
from common.wib import WIB

NUMBER_PATTERN = r"^[ABC]-[0-9]{3,5}$"


class QueueServe(WireModel):
    """Operator action: the ticket was called to the counter."""

    office_id: str = Field(max_length=32)
    number: str = Field(pattern=NUMBER_PATTERN, description="As printed, e.g. 'A-001'.")
    day: date | None = Field(default=None, description="The ticket's day; today (WIB) if left out.")


ISO_DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def parse_day(text: str) -> date:
    """An ISO day (``2026-11-23``), else 422: pydantic's lax parsing would take a number as
    a Unix time, which the schema (``format: date``) does not allow."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            "invalid_input",
            "Tanggal tidak valid (format TTTT-BB-HH).",
            "The day is not a valid date (YYYY-MM-DD).",
            {"errors": [{"loc": ["query", "day"], "type": "date_from_datetime_parsing"}]},
        ) from None


def service_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def ticket_number(counter: str, seq: int) -> str:
    return f"{counter}-{seq:03d}"


def _waiting_ahead(db: Session, row: QueueTicket) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(QueueTicket)
            .where(
                QueueTicket.office_id == row.office_id,
                QueueTicket.day == row.day,
                QueueTicket.counter == row.counter,
                QueueTicket.seq < row.seq,
                QueueTicket.served_at.is_(None),
            )
        )
        or 0
    )


def ticket_wire(db: Session, row: QueueTicket) -> wire.QueueTicket:
    return wire.QueueTicket(
        number=ticket_number(row.counter, row.seq),
        office_id=row.office_id,
        day=row.day,
        issued_at=row.issued_at,
        waiting_ahead=_waiting_ahead(db, row),
    )


def take(
    db: Session, kiosk: SignedKiosk, request: wire.QueueTicketCreate, now: datetime
) -> wire.QueueTicket:
    """The next number; a repeat of the same ``local_ref`` gets the same ticket, with the
    waiting count as it is now. Two kiosks drawing at once collide on the unique number and
    the loser draws again (``create_once``)."""
    day = service_day(now)

    def find() -> QueueTicket | None:
        return db.scalar(
            select(QueueTicket).where(
                QueueTicket.kiosk_id == kiosk.id, QueueTicket.local_ref == request.local_ref
            )
        )

    def make() -> QueueTicket:
        last = db.scalar(
            select(func.max(QueueTicket.seq)).where(
                QueueTicket.office_id == kiosk.office_id,
                QueueTicket.day == day,
                QueueTicket.counter == request.counter,
            )
        )
        row = QueueTicket(
            office_id=kiosk.office_id,
            day=day,
            counter=request.counter,
            seq=(last or 0) + 1,
            kiosk_id=kiosk.id,
            local_ref=request.local_ref,
            issued_at=now,
        )
        db.add(row)
        return row

    return ticket_wire(db, create_once(db, find, make))


def _unknown_ticket() -> ApiError:
    return ApiError(
        404, "ticket_unknown", "Nomor antrian tidak ditemukan.", "No such queue ticket."
    )


def serve(db: Session, request: QueueServe, now: datetime) -> wire.QueueTicket:
    """Mark a ticket served (calling it twice changes nothing)."""
    counter, seq = request.number.split("-")
    row = db.scalar(
        select(QueueTicket).where(
            QueueTicket.office_id == request.office_id,
            QueueTicket.day == (request.day or service_day(now)),
            QueueTicket.counter == counter,
            QueueTicket.seq == int(seq),
        )
    )
    if row is None:
        raise _unknown_ticket()
    if row.served_at is None:
        row.served_at = now
        db.commit()
    return ticket_wire(db, row)


def waiting(db: Session, office_id: str, day: date) -> list[wire.QueueTicket]:
    rows = db.scalars(
        select(QueueTicket)
        .where(
            QueueTicket.office_id == office_id,
            QueueTicket.day == day,
            QueueTicket.served_at.is_(None),
        )
        .order_by(QueueTicket.counter, QueueTicket.seq)
    ).all()
    return [ticket_wire(db, row) for row in rows]
