"""The audit helper writes ids and action names only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from central.console.audit import AuditTextRefused, audit_operator_action, recent_actions
from central.db import make_engine, make_sessionmaker
from central.models import Base, Operator, OperatorAuditEntry

pytestmark = pytest.mark.in_process

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Actor:
    operator_id: int
    now: datetime = NOW


def test_rows_name_who_what_when_and_which_record(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    Base.metadata.create_all(engine)
    with make_sessionmaker(engine)() as db:
        db.add(Operator(id=7, username="admin", password_hash="x", created_at=NOW))
        db.commit()
        audit_operator_action(db, Actor(7), "kiosk_revoke", "K-0001")
        audit_operator_action(db, Actor(7), "sign_out", None)
        db.commit()
        rows = db.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id)).all()
        assert [(r.operator_id, r.action, r.record, r.at) for r in rows] == [
            (7, "kiosk_revoke", "K-0001", NOW),
            (7, "sign_out", None, NOW),
        ]
        page, more = recent_actions(db, limit=1)
        assert [(row.username, row.action) for row in page] == [("admin", "sign_out")]
        older, last = recent_actions(db, before_id=more, limit=1)
        assert [row.action for row in older] == ["kiosk_revoke"] and last is None
        for action, record in [
            ("Revoked kiosk", "K-1"),  # a sentence, not an action name
            ("letter_view", "Siti Aminah"),  # a name where an id belongs
            ("letter_view", "3510012345670001 x"),
        ]:
            with pytest.raises(AuditTextRefused):
                audit_operator_action(db, Actor(7), action, record)
    engine.dispose()
