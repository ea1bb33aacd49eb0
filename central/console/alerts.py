"""Fleet alerts: raised once, acknowledged by a person, cleared by themselves.

Evaluated by a **sweep** over the fleet, not at heartbeat ingest: "offline for N minutes" is
the absence of heartbeats, which ingest never sees, and ingest is the centre's hot path
(thousands a second) that must not grow. The sweep runs at most once a minute per server
process, from whichever fleet page, alert page or ``/metrics`` scrape comes first
(``maybe_sweep``); a Prometheus scraping ``/metrics`` keeps it running when nobody looks.
Two processes sweeping at once cannot raise an alert twice: an open alert holds the unique
``open_key`` ``kiosk:kind``, and the insert skips one that exists.

Each kind is a condition on the kiosk's state (the fleet service's) and its newest heartbeat;
while it holds the alert stays open (acknowledged or not), and when it ends the alert is
cleared. A condition that comes back later is a new alert.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from central.console.audit import audit_operator_action
from central.console.fleet_data import kiosk_state
from central.console.session import ConsoleOperator, not_found
from central.context import CentralContext
from central.db import transaction
from central.models import Kiosk, KioskAlert, KioskState
from central.settings import CentralSettings
from common.i18n.translator import N_

SWEEP_TASK = "console-alert-sweep"
FAULTY = ("offline", "error")  # device states that make a reader or camera a problem


class AlertKind(enum.StrEnum):
    OFFLINE = "offline"
    APP_DOWN = "app_down"
    APP_UNAVAILABLE = "app_unavailable"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    READER_FAULT = "reader_fault"
    CAMERA_FAULT = "camera_fault"
    BACKLOG = "backlog"
    VERSION_BEHIND = "version_behind"


ALERT_LABELS: dict[str, str] = {
    AlertKind.OFFLINE: N_("Offline too long"),
    AlertKind.APP_DOWN: N_("App down"),
    AlertKind.APP_UNAVAILABLE: N_("Out of service"),
    AlertKind.PAPER_LOW: N_("Paper low"),
    AlertKind.PAPER_OUT: N_("Paper out"),
    AlertKind.READER_FAULT: N_("Card reader fault"),
    AlertKind.CAMERA_FAULT: N_("Camera fault"),
    AlertKind.BACKLOG: N_("Outbox backlog"),
    AlertKind.VERSION_BEHIND: N_("Version behind"),
}


def _version_key(version: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in version.split("+", maxsplit=1)[0].split("."))
    except ValueError:
        return None


def version_behind(running: str, current: str) -> bool:
    """Older than ``current`` by dotted numbers; a version that is not numbers is behind
    when it differs (the technician should look at it either way)."""
    mine, wanted = _version_key(running), _version_key(current)
    if mine is None or wanted is None:
        return running != current
    return mine < wanted


def conditions(
    state: str,
    last_seen_at: datetime | None,
    beat: dict[str, Any] | None,
    now: datetime,
    settings: CentralSettings,
) -> dict[AlertKind, str | None]:
    """The alerts that hold for one kiosk now, each with a short detail (never personal)."""
    found: dict[AlertKind, str | None] = {}
    if (
        state == "offline"
        and last_seen_at is not None
        and (now - last_seen_at).total_seconds() >= settings.alert_offline_after_s
    ):
        found[AlertKind.OFFLINE] = None
    if state == "app_down":
        found[AlertKind.APP_DOWN] = None
    if not beat:
        return found
    if beat.get("app_state") == "UNAVAILABLE":
        found[AlertKind.APP_UNAVAILABLE] = str(beat.get("app_state_reason") or "")[:64] or None
    for device in beat.get("peripherals") or []:
        kind, device_state = device.get("kind"), device.get("state")
        if kind == "printer" and device.get("supply") == "out":
            found[AlertKind.PAPER_OUT] = None
        elif kind == "printer" and device.get("supply") == "low":
            found[AlertKind.PAPER_LOW] = None
        elif kind == "card_reader" and device_state in FAULTY:
            found[AlertKind.READER_FAULT] = device_state
        elif kind == "camera" and device_state in FAULTY:
            found[AlertKind.CAMERA_FAULT] = device_state
    backlog = beat.get("outbox_backlog")
    if isinstance(backlog, int) and backlog >= settings.alert_backlog_items:
        found[AlertKind.BACKLOG] = str(backlog)
    running = (beat.get("versions") or {}).get("app")
    current = settings.fleet_current_version
    if current and isinstance(running, str) and version_behind(running, current):
        found[AlertKind.VERSION_BEHIND] = running[:64]
    return found


@dataclass(frozen=True)
class SweepResult:
    raised: int
    cleared: int


def sweep_alerts(
    sessions: sessionmaker[Session], now: datetime, settings: CentralSettings
) -> SweepResult:
    """Raise what holds and is not open; clear what is open and no longer holds (revoked
    kiosks' alerts included: they are no longer anyone's problem)."""
    with transaction(sessions) as db:
        rows = db.execute(
            select(Kiosk.id, KioskState.last_seen_at, KioskState.payload)
            .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
            .where(Kiosk.revoked_at.is_(None))
        )
        holding: dict[tuple[str, str], str | None] = {}
        for kiosk_id, last_seen_at, payload in rows:
            state = kiosk_state(last_seen_at, now, settings)
            beat = payload if isinstance(payload, dict) else None
            for kind, detail in conditions(state, last_seen_at, beat, now, settings).items():
                holding[(kiosk_id, kind.value)] = detail
        open_alerts = {
            (alert.kiosk_id, alert.kind): alert
            for alert in db.scalars(select(KioskAlert).where(KioskAlert.open_key.is_not(None)))
        }
        new = [
            {
                "kiosk_id": kiosk_id,
                "kind": kind,
                "detail": detail,
                "raised_at": now,
                "open_key": f"{kiosk_id}:{kind}",
            }
            for (kiosk_id, kind), detail in sorted(holding.items())
            if (kiosk_id, kind) not in open_alerts
        ]
        if new:
            module = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
            db.execute(
                module.insert(KioskAlert)
                .values(new)
                .on_conflict_do_nothing(index_elements=[KioskAlert.open_key])
            )
        ended = [alert for key, alert in open_alerts.items() if key not in holding]
        for alert in ended:
            alert.cleared_at = now
            alert.open_key = None
    return SweepResult(raised=len(new), cleared=len(ended))


def maybe_sweep(ctx: CentralContext) -> SweepResult | None:
    """The sweep, if this process has not run it in the last minute."""
    if not ctx.housekeeping_due(SWEEP_TASK):
        return None
    return sweep_alerts(ctx.sessions, ctx.clock.now(), ctx.settings)


@dataclass(frozen=True)
class AlertLine:
    id: int
    kiosk_id: str
    office_id: str
    kind: str
    detail: str | None
    raised_at: datetime
    acknowledged_at: datetime | None


def open_alerts(
    db: Session, operator: ConsoleOperator, kiosk_id: str | None = None
) -> list[AlertLine]:
    """Open alerts in the operator's offices, newest first (one kiosk's, if given)."""
    query = (
        select(KioskAlert, Kiosk.office_id)
        .join(Kiosk, Kiosk.id == KioskAlert.kiosk_id)
        .where(KioskAlert.open_key.is_not(None), operator.scope.where(Kiosk.office_id))
        .order_by(KioskAlert.raised_at.desc(), KioskAlert.id.desc())
    )
    if kiosk_id is not None:
        query = query.where(KioskAlert.kiosk_id == kiosk_id)
    return [
        AlertLine(a.id, a.kiosk_id, office_id, a.kind, a.detail, a.raised_at, a.acknowledged_at)
        for a, office_id in db.execute(query)
    ]


def acknowledge(db: Session, operator: ConsoleOperator, alert_id: int) -> KioskAlert:
    """Someone has seen it: it stays open (the condition holds) but stops asking."""
    alert = db.get(KioskAlert, alert_id)
    kiosk = db.get(Kiosk, alert.kiosk_id) if alert is not None else None
    if alert is None or kiosk is None:
        raise not_found()
    operator.scope.require(kiosk.office_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = operator.now
        alert.acknowledged_by = operator.operator_id
        audit_operator_action(db, operator, "alert_acknowledge", str(alert.id))
    db.commit()
    return alert
