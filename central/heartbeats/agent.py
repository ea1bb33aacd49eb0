"""The health agent's reports (``kiosk health ping``), stored for the fleet view.

The agent is a process apart from the kiosk app, so its word reaches the centre when the app's
heartbeats do not: "PC up, app down" instead of "offline". It sends its offline buffer with the
current report; a report resent after a lost answer is stored once (``report_id``). Rare next
to heartbeats (one request a minute per kiosk, not on the heartbeat fast path), so an ordinary
route and transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from central.contract import models as wire
from central.errors import ApiError
from central.heartbeats.bulk import BulkInsert
from central.models import AgentReportRecord, AgentState
from central.security.callers import SignedKiosk
from central.settings import CentralSettings

_ADD_REPORTS = BulkInsert(
    AgentReportRecord,
    ("kiosk_id", "report_id", "received_at", "observed_at", "payload"),
    tail="ON CONFLICT (kiosk_id, report_id) DO NOTHING",
    returning=("report_id",),
)
# The newest look wins, whatever order reports arrive in; any delivery says the PC is up.
_NEWER = f"excluded.observed_at >= {AgentState.__tablename__}.observed_at"
_UPSERT_STATE = BulkInsert(
    AgentState,
    ("kiosk_id", "received_at", "observed_at", "payload"),
    tail="ON CONFLICT (kiosk_id) DO UPDATE SET received_at = excluded.received_at, "
    f"payload = CASE WHEN {_NEWER} THEN excluded.payload "
    f"ELSE {AgentState.__tablename__}.payload END, "
    f"observed_at = CASE WHEN {_NEWER} THEN excluded.observed_at "
    f"ELSE {AgentState.__tablename__}.observed_at END",
)
_OLDEST_KEPT = (
    select(AgentReportRecord.id)
    .where(AgentReportRecord.kiosk_id == bindparam("kiosk_id"))
    .order_by(AgentReportRecord.id.desc())
    .offset(bindparam("skip"))
    .limit(1)
)
_TRIM = delete(AgentReportRecord).where(
    AgentReportRecord.kiosk_id == bindparam("kiosk_id"),
    AgentReportRecord.id < bindparam("oldest"),
)


def store_reports(
    db: Session,
    kiosk: SignedKiosk,
    delivery: wire.AgentReports,
    now: datetime,
    settings: CentralSettings,
) -> wire.AgentReportsAck:
    """Keep the reports not seen before, move the kiosk's newest agent state forward, and trim
    its history to the newest ``heartbeat_history`` reports."""
    if delivery.kiosk_id != kiosk.id:
        raise ApiError(
            403,
            "kiosk_mismatch",
            "Laporan agen atas nama kios lain.",
            "The agent report names a different kiosk than the one that signed it.",
        )
    rows = [
        {
            "kiosk_id": kiosk.id,
            "report_id": report.report_id,
            "received_at": now,
            "observed_at": report.observed_at,
            "payload": report.model_dump(mode="json"),
        }
        for report in delivery.reports
    ]
    connection = db.connection()
    stored = _ADD_REPORTS.run(connection, rows)
    newest = max(delivery.reports, key=lambda report: report.observed_at)
    _UPSERT_STATE.run(
        connection,
        [
            {
                "kiosk_id": kiosk.id,
                "received_at": now,
                "observed_at": newest.observed_at,
                "payload": newest.model_dump(mode="json"),
            }
        ],
    )
    keep = settings.agent_reports_kept
    oldest = connection.scalar(_OLDEST_KEPT, {"kiosk_id": kiosk.id, "skip": keep - 1})
    if oldest is not None:
        connection.execute(_TRIM, {"kiosk_id": kiosk.id, "oldest": oldest})
    db.commit()
    return wire.AgentReportsAck(received_at=now, stored=len(stored))
