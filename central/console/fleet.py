"""The fleet pages: the table with its filters, a kiosk's page (history, uptime timeline,
alerts, revoke), the open alerts, and enrolment tokens.

Village operators see their own office's kiosks only (``operator.scope``); enrolling and
revoking are for the district-wide roles (``Area.FLEET_MANAGE``). Every change is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from central.console.alerts import ALERT_LABELS, AlertKind, acknowledge, maybe_sweep, open_alerts
from central.console.audit import audit_operator_action
from central.console.fleet_data import (
    STATES,
    FleetFilter,
    fleet_page,
    heartbeat_history,
    kiosk_state,
    timeline,
)
from central.console.render import SECURITY_HEADERS, render
from central.console.session import ConsoleOperator, console_operator, not_found
from central.context import CentralContext
from central.errors import ApiError
from central.models import AgentState, Kiosk, KioskState, Office
from central.security import enrollment, operators
from central.security.roles import Area
from common.i18n.translator import N_

router = APIRouter(include_in_schema=False)
Viewer = Annotated[ConsoleOperator, Depends(console_operator(Area.FLEET))]
Manager = Annotated[ConsoleOperator, Depends(console_operator(Area.FLEET_MANAGE))]
KioskId = Annotated[str, Path(max_length=32)]

STATE_LABELS: dict[str, str] = {
    "up": N_("Up"),
    "late": N_("Late"),
    "offline": N_("Offline"),
    "never": N_("Never seen"),
    "app_down": N_("App down"),
}
DEVICE_LABELS: dict[str, str] = {
    "online": N_("online"),
    "offline": N_("offline"),
    "error": N_("error"),
    "busy": N_("busy"),
    "unknown": N_("unknown"),
    "full": N_("full"),
    "low": N_("low"),
    "out": N_("out"),
    "n/a": N_("n/a"),
}
APP_STATE_LABELS: dict[str, str] = {
    "AVAILABLE": N_("available"),
    "ACTIVE": N_("serving"),
    "UNAVAILABLE": N_("out of service"),
    "hardware": N_("hardware"),
    "consumables": N_("consumables"),
    "backend": N_("centre unreachable"),
    "maintenance": N_("maintenance"),
}
LABELS = {
    "state": STATE_LABELS,
    "device": DEVICE_LABELS,
    "app": APP_STATE_LABELS,
    "alert": ALERT_LABELS,
}
DEFAULT_TOKEN_HOURS = 24
MAX_TOKEN_HOURS = 24 * 30
BAD_TOKEN_HOURS = N_("Give the validity as a whole number of hours from 1 to 720.")


def _context(request: Request) -> CentralContext:
    ctx: CentralContext = request.app.state.context
    return ctx


@router.get("/console/fleet")
def fleet_table(
    request: Request,
    operator: Viewer,
    kecamatan: Annotated[str | None, Query(max_length=32)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    problem: Annotated[str | None, Query(max_length=24)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    ctx = _context(request)
    maybe_sweep(ctx)
    wanted = FleetFilter(
        kecamatan=kecamatan or None,
        state=state if state in STATES else None,
        problem=problem if problem in set(AlertKind) else None,
        page=page,
    )
    with ctx.sessions() as db:
        table = fleet_page(db, operator.scope, wanted, operator.now, ctx.settings)
    return render(
        request,
        "fleet.html",
        operator,
        table=table,
        wanted=wanted,
        states=STATES,
        labels=LABELS,
    )


def _kiosk_in_scope(ctx: CentralContext, operator: ConsoleOperator, kiosk_id: str) -> Kiosk:
    with ctx.sessions() as db:
        kiosk = db.get(Kiosk, kiosk_id)
        if kiosk is None:
            raise not_found()
        operator.scope.require(kiosk.office_id)
        db.expunge(kiosk)
        return kiosk


@router.get("/console/fleet/kiosks/{kiosk_id}")
def kiosk_page(request: Request, operator: Viewer, kiosk_id: KioskId) -> Response:
    ctx = _context(request)
    kiosk = _kiosk_in_scope(ctx, operator, kiosk_id)
    maybe_sweep(ctx)
    with ctx.sessions() as db:
        last_seen_at = db.scalar(
            select(KioskState.last_seen_at).where(KioskState.kiosk_id == kiosk.id)
        )
        agent = db.get(AgentState, kiosk.id)
        history = heartbeat_history(db, kiosk.id, operator.now)
        alerts = open_alerts(db, operator, kiosk.id)
        office = db.get(Office, kiosk.office_id)
    return render(
        request,
        "kiosk.html",
        operator,
        kiosk=kiosk,
        office=office,
        state=kiosk_state(
            last_seen_at,
            operator.now,
            ctx.settings,
            agent.received_at if agent else None,
            agent.payload if agent else None,
        ),
        last_seen_at=last_seen_at,
        history=history,
        slots=timeline(history, operator.now),
        alerts=alerts,
        labels=LABELS,
        may_manage=operator.may_open(Area.FLEET_MANAGE),
    )


@router.post("/console/fleet/kiosks/{kiosk_id}/revoke")
def revoke(request: Request, operator: Manager, kiosk_id: KioskId) -> Response:
    """Every later request the kiosk signs is refused; its history stays."""
    ctx = _context(request)
    kiosk = _kiosk_in_scope(ctx, operator, kiosk_id)
    with ctx.sessions() as db:
        if db.get(Kiosk, kiosk.id) is not None and kiosk.revoked_at is None:
            audit_operator_action(db, operator, "kiosk_revoke", kiosk.id)
            operators.revoke_kiosk(db, kiosk.id, operator.now)  # commits the audit row too
    return RedirectResponse(
        f"/console/fleet/kiosks/{kiosk.id}", status_code=303, headers=SECURITY_HEADERS
    )


@router.post("/console/fleet/kiosks/{kiosk_id}/rekey")
def rekey(request: Request, operator: Manager, kiosk_id: KioskId) -> Response:
    """A one-time re-key token for this kiosk (a new disk, a new PC, a kiosk back from
    theft): `kiosk-provision enroll --rekey` with it keeps the kiosk's id, office and history
    and lifts a revocation. Shown once, like an enrolment token."""
    ctx = _context(request)
    kiosk = _kiosk_in_scope(ctx, operator, kiosk_id)
    with ctx.sessions() as db:
        audit_operator_action(db, operator, "kiosk_rekey_token_create", kiosk.id)
        # commits the audit row with the token
        created = enrollment.create_rekey_token(
            db, kiosk.id, DEFAULT_TOKEN_HOURS * 3600, operator.now
        )
    return render(request, "rekey.html", operator, kiosk=kiosk, created=created)


@router.get("/console/fleet/alerts")
def alerts_page(request: Request, operator: Viewer) -> Response:
    ctx = _context(request)
    maybe_sweep(ctx)
    with ctx.sessions() as db:
        alerts = open_alerts(db, operator)
    return render(request, "alerts.html", operator, alerts=alerts, labels=LABELS)


@router.post("/console/fleet/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    request: Request,
    operator: Viewer,
    alert_id: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    ctx = _context(request)
    with ctx.sessions() as db:
        acknowledge(db, operator, alert_id)
    back = operator.form.get("next")
    target = back if isinstance(back, str) and back.startswith("/console/fleet") else None
    return RedirectResponse(
        target or "/console/fleet/alerts", status_code=303, headers=SECURITY_HEADERS
    )


def _offices(ctx: CentralContext, operator: ConsoleOperator) -> list[tuple[str, str]]:
    with ctx.sessions() as db:
        rows = db.execute(
            select(Office.id, Office.name)
            .where(Office.kind != "kecamatan", Office.parent_id.is_not(None))
            .where(operator.scope.where(Office.id))
            .order_by(Office.id)
        )
        return [(office_id, name) for office_id, name in rows]


@router.get("/console/fleet/enroll")
def enroll_form(request: Request, operator: Manager) -> Response:
    return render(
        request,
        "enroll.html",
        operator,
        offices=_offices(_context(request), operator),
        hours=DEFAULT_TOKEN_HOURS,
        created=None,
        error=None,
    )


@router.post("/console/fleet/enroll")
def create_enrollment_token(request: Request, operator: Manager) -> Response:
    """A one-time token for the next kiosk of an office, shown once on the answer page."""
    ctx = _context(request)
    office_id = operator.form.get("office")
    hours_text = operator.form.get("hours")
    offices = _offices(ctx, operator)
    if not isinstance(office_id, str) or office_id not in dict(offices):
        raise not_found()
    try:
        hours = int(hours_text) if isinstance(hours_text, str) else 0
    except ValueError:
        hours = 0
    if not 1 <= hours <= MAX_TOKEN_HOURS:
        return render(
            request,
            "enroll.html",
            operator,
            status=422,
            offices=offices,
            hours=hours_text,
            created=None,
            error=BAD_TOKEN_HOURS,
        )
    with ctx.sessions() as db:
        audit_operator_action(db, operator, "enrollment_token_create", office_id)
        try:  # commits the audit row with the token
            created = enrollment.create_token(db, office_id, hours * 3600, operator.now)
        except ApiError:
            raise not_found() from None
    return render(
        request,
        "enroll.html",
        operator,
        offices=offices,
        hours=hours,
        created=created,
        error=None,
    )
