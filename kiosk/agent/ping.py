"""One ping: look at the app and the PC, then deliver that report with whatever was buffered
while the centre was away (oldest first); keep what could not be delivered for the next ping.

A report the centre refuses as malformed is dropped (sending it again would block every later
one); anything else that fails (no network, 5xx, a clock the centre refuses) is kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from kiosk import __version__
from kiosk.agent import facts
from kiosk.agent.deliver import Answer, post_signed
from kiosk.agent.judge import Verdict, judge, units_failed
from kiosk.agent.key import load_key
from kiosk.agent.settings import AgentSettings
from kiosk.agent.spool import Spool, locked
from kiosk.signing import RequestSigner

AGENT_REPORTS_PATH = "/v1/agent/reports"
MAX_REPORTS_PER_DELIVERY = 60  # central.contract.models.MAX_AGENT_REPORTS
MAX_DELIVERIES_PER_PING = 4  # a long backlog drains over a few pings, each ping stays short
CLOCK_FILE = "clock.json"
REPORT_ID_BYTES = 16  # 32 hex digits, as AgentReport.report_id
# The Date header counts whole seconds: on average the centre's clock is half a second on.
DATE_HEADER_ROUNDING_S = 0.5
REFUSED_FOR_GOOD = (400, 413, 422)

Send = Callable[[str, str, bytes, RequestSigner, float], Answer]


class PingResult(NamedTuple):
    verdict: Verdict
    delivered: int  # reports the centre confirmed in this ping (the current one included)
    waiting: int  # reports buffered for a later ping
    dropped: int  # reports the centre refused for good, or beyond the buffer's limit
    problem: str | None  # why the current report was not delivered, if it was not


def observe(
    settings: AgentSettings,
    verdict: Verdict,
    now: float,
    clock_offset_s: float | None,
) -> dict[str, Any]:
    """The report, as ``central.contract.models.AgentReport`` reads it."""
    free, total = facts.disk_mb(settings.state_dir)
    return {
        "report_id": os.urandom(REPORT_ID_BYTES).hex(),
        "observed_at": datetime.fromtimestamp(now, UTC).isoformat(),
        "boot_id": facts.boot_id(),
        "uptime_s": facts.uptime_s(),
        "app": "up" if verdict.up else "down",
        "app_reason": verdict.reason,
        "app_state": verdict.app_state,
        "status_age_s": None if verdict.status_age_s is None else round(verdict.status_age_s, 1),
        "disk_free_mb": free,
        "disk_total_mb": total,
        "temperature_c": facts.temperature_c(),
        "clock_offset_s": clock_offset_s,
        "agent_version": __version__,
    }


def _read_offset(agent_dir: Path) -> float | None:
    try:
        value = json.loads((agent_dir / CLOCK_FILE).read_text(encoding="utf-8"))["offset_s"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def _write_offset(agent_dir: Path, offset_s: float) -> None:
    # a fact for the next report, not worth failing a delivered ping for
    with contextlib.suppress(OSError):
        (agent_dir / CLOCK_FILE).write_text(json.dumps({"offset_s": round(offset_s, 1)}))


def ping(
    settings: AgentSettings,
    agent_dir: Path,
    *,
    units: Sequence[str],
    clock: Callable[[], float] = time.time,
    send: Send = post_signed,
) -> PingResult:
    """Judge the app, report, deliver; the caller has checked the kiosk is enrolled."""
    if settings.kiosk_id is None:
        raise ValueError("the kiosk is not enrolled")
    signer = RequestSigner(settings.kiosk_id, load_key(settings.key_file), clock=clock)
    with locked(agent_dir):
        now = clock()
        verdict = judge(
            settings.status_file, settings.period_s, now, unit_failed=lambda: units_failed(units)
        )
        report = observe(settings, verdict, now, _read_offset(agent_dir))
        spool = Spool(agent_dir)
        current: list[dict[str, Any]] = [report]
        delivered = dropped = 0
        problem: str | None = None
        for _ in range(MAX_DELIVERIES_PER_PING):
            batch = spool.oldest(MAX_REPORTS_PER_DELIVERY - len(current))
            if not batch and not current:
                break
            answer = _deliver(settings, signer, [b.report for b in batch] + current, send)
            if answer.status is not None and answer.status in REFUSED_FOR_GOOD:
                dropped += len(batch) + len(current)
            elif answer.status is None or not 200 <= answer.status < 300:
                problem = answer.detail
                break
            else:
                delivered += len(batch) + len(current)
                if answer.centre_time is not None:
                    offset = clock() - (answer.centre_time + DATE_HEADER_ROUNDING_S)
                    _write_offset(agent_dir, offset)
            spool.forget(batch)
            current = []
        if current:
            dropped += spool.keep(report, int(now * 1e9))
        return PingResult(verdict, delivered, len(spool), dropped, problem)


def _deliver(
    settings: AgentSettings,
    signer: RequestSigner,
    reports: list[dict[str, Any]],
    send: Send,
) -> Answer:
    body = json.dumps({"kiosk_id": settings.kiosk_id, "reports": reports}).encode()
    return send(settings.central_url, AGENT_REPORTS_PATH, body, signer, settings.timeout_s)
