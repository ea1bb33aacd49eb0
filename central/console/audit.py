"""The operator audit log: who did what, when, to which record.

``audit_operator_action`` is the one way to write it. ``action`` is a short fixed name
(``sign_in``, ``kiosk_revoke``, ``letter_status``…) and ``record`` an id (a kiosk id, a
tracking code, a row number): never a name, NIK, phone number or free text a resident wrote,
so the log can be shown to every district admin and kept longer than the records it names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import Operator, OperatorAuditEntry

_ACTION = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_RECORD = re.compile(r"^[A-Za-z0-9._:/-]{1,128}$")
AUDIT_PAGE_SIZE = 100


class AuditTextRefused(ValueError):
    """An action or record that is not a plain identifier (it could carry personal data)."""


class Actor(Protocol):
    """Who acts, and when: the signed-in ``ConsoleOperator`` (its request's time)."""

    @property
    def operator_id(self) -> int: ...

    @property
    def now(self) -> datetime: ...


def audit_operator_action(db: Session, operator: Actor, action: str, record: str | None) -> None:
    """Adds one row to ``db``'s transaction (the caller commits it with the change it
    records, so the log never claims what did not happen)."""
    if not _ACTION.match(action):
        raise AuditTextRefused(f"audit action must be a short snake_case name, not {action!r}")
    if record is not None and not _RECORD.match(record):
        raise AuditTextRefused("audit record must be an identifier, not free text")
    db.add(
        OperatorAuditEntry(
            at=operator.now, operator_id=operator.operator_id, action=action, record=record
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    username: str
    action: str
    record: str | None


def recent_actions(
    db: Session, before_id: int | None = None, limit: int = AUDIT_PAGE_SIZE
) -> tuple[Sequence[AuditRow], int | None]:
    """Newest first, one page; and the id to continue from (None on the last page)."""
    query = (
        select(OperatorAuditEntry, Operator.username)
        .join(Operator, Operator.id == OperatorAuditEntry.operator_id)
        .order_by(OperatorAuditEntry.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(OperatorAuditEntry.id < before_id)
    rows = db.execute(query).all()
    page = [AuditRow(e.at, username, e.action, e.record) for e, username in rows[:limit]]
    more = rows[limit - 1][0].id if len(rows) > limit else None
    return page, more
