"""``/metrics`` for Prometheus: the fleet by state, how fast heartbeats arrive, open alerts.

Text exposition format 0.0.4, written by hand (a dozen lines; no client library needed).
Counts only, never a kiosk id; still, a centre reachable from outside sets
``metrics_token`` and Prometheus sends it as a bearer token.

The ingest rate is the number of kiosks heard from in the last minute divided by 60: one
row per kiosk (its newest heartbeat), so reading it stays cheap at national size; with
kiosks pinging once a minute it is the heartbeat rate.
"""

from __future__ import annotations

import hmac
from collections import Counter
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import func, select

from central.console.alerts import ALERT_LABELS, maybe_sweep
from central.console.fleet_data import STATES, kiosk_state
from central.context import CentralContext
from central.models import Kiosk, KioskAlert, KioskState

router = APIRouter(include_in_schema=False)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RATE_WINDOW_S = 60


def exposition(ctx: CentralContext) -> str:
    now = ctx.clock.now()
    with ctx.sessions() as db:
        seen = db.execute(
            select(KioskState.last_seen_at)
            .select_from(Kiosk)
            .outerjoin(KioskState, KioskState.kiosk_id == Kiosk.id)
            .where(Kiosk.revoked_at.is_(None))
        ).scalars()
        states = Counter(kiosk_state(at, now, ctx.settings) for at in seen)
        recent = db.scalar(
            select(func.count())
            .select_from(KioskState)
            .where(KioskState.last_seen_at >= now - timedelta(seconds=RATE_WINDOW_S))
        )
        alerts = db.execute(
            select(KioskAlert.kind, KioskAlert.acknowledged_at.is_not(None), func.count())
            .where(KioskAlert.open_key.is_not(None))
            .group_by(KioskAlert.kind, KioskAlert.acknowledged_at.is_not(None))
        ).all()
        raised = dict(
            db.execute(select(KioskAlert.kind, func.count()).group_by(KioskAlert.kind)).all()
        )
    open_counts = {(str(kind), bool(acked)): int(count) for kind, acked, count in alerts}
    lines = [
        "# HELP anjungan_fleet_kiosks Enrolled kiosks (not revoked) by state.",
        "# TYPE anjungan_fleet_kiosks gauge",
        *(f'anjungan_fleet_kiosks{{state="{s}"}} {states.get(s, 0)}' for s in STATES),
        "# HELP anjungan_heartbeats_per_second Kiosks heard from in the last minute, per second.",
        "# TYPE anjungan_heartbeats_per_second gauge",
        f"anjungan_heartbeats_per_second {(recent or 0) / RATE_WINDOW_S:.3f}",
        "# HELP anjungan_fleet_alerts_open Open fleet alerts by kind and acknowledgement.",
        "# TYPE anjungan_fleet_alerts_open gauge",
    ]
    for kind in ALERT_LABELS:
        for acked in (False, True):
            value = open_counts.get((kind, acked), 0)
            flag = "true" if acked else "false"
            lines.append(
                f'anjungan_fleet_alerts_open{{kind="{kind}",acknowledged="{flag}"}} {value}'
            )
    lines += [
        "# HELP anjungan_fleet_alerts_raised_total Fleet alerts raised, by kind.",
        "# TYPE anjungan_fleet_alerts_raised_total counter",
        *(
            f'anjungan_fleet_alerts_raised_total{{kind="{kind}"}} {raised.get(kind, 0)}'
            for kind in ALERT_LABELS
        ),
    ]
    return "\n".join(lines) + "\n"


@router.get("/metrics")
def metrics(request: Request) -> Response:
    ctx: CentralContext = request.app.state.context
    token = ctx.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse(
                "metrics need the configured bearer token\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    maybe_sweep(ctx)
    return PlainTextResponse(exposition(ctx), media_type=CONTENT_TYPE)
