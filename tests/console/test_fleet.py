"""The fleet pages against a real centre: what each role sees, filters, alerts raised once,
acknowledged and cleared by themselves, revoking and enrolment from the page, /metrics."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from sqlalchemy import select

from central.console.alerts import sweep_alerts
from central.contract.models import EnrollmentRequest
from central.models import KioskAlert, OperatorAuditEntry
from kiosk.identity import KioskKey
from tests.central.test_heartbeats import beat
from tests.console.conftest import BOTH_DATABASES, OFFICE_A, OFFICE_B, ConsoleClient
from tests.support.central_server import HARDWARE, CentralServer, EnrolledKiosk

pytestmark = BOTH_DATABASES


def send(server: CentralServer, kiosk: EnrolledKiosk, sequence: int, **overrides: Any) -> None:
    reply = kiosk.session.post(
        f"{server.url}/v1/heartbeats", json=beat(kiosk.kiosk_id, sequence, **overrides), timeout=10
    )
    assert reply.status_code == 202, reply.text


def paper(supply: str) -> list[dict[str, str]]:
    return [
        {"name": "printer", "kind": "printer", "state": "online", "supply": supply},
        {"name": "card_reader", "kind": "card_reader", "state": "online"},
    ]


@pytest.fixture
def fleet(console: CentralServer) -> dict[str, EnrolledKiosk]:
    """Two kiosks in office A, one in office B, each with one heartbeat."""
    kiosks = {
        "a1": console.enroll(OFFICE_A),
        "a2": console.enroll(OFFICE_A),
        "b1": console.enroll(OFFICE_B),
    }
    for kiosk in kiosks.values():
        send(console, kiosk, 1, peripherals=paper("full"))
    return kiosks


def _alerts(server: CentralServer) -> list[tuple[str, str, bool, bool]]:
    with server.context.sessions() as db:
        rows = db.scalars(select(KioskAlert).order_by(KioskAlert.id)).all()
        return [
            (a.kiosk_id, a.kind, a.acknowledged_at is not None, a.cleared_at is not None)
            for a in rows
        ]


def test_each_role_sees_the_kiosks_of_its_offices(
    console: CentralServer, fleet: dict[str, EnrolledKiosk], signed_in: dict[str, ConsoleClient]
) -> None:
    everyone = {kiosk.kiosk_id for kiosk in fleet.values()}
    for who in ("admin", "technician"):
        page = signed_in[who].get("/console/fleet").text
        assert all(kiosk_id in page for kiosk_id in everyone), who
    own = signed_in["village"].get("/console/fleet").text
    assert fleet["a1"].kiosk_id in own and fleet["a2"].kiosk_id in own
    assert fleet["b1"].kiosk_id not in own
    assert "2 dari 2 kios" in own


def test_a_village_operator_gets_nothing_of_another_offices_kiosk(
    console: CentralServer, fleet: dict[str, EnrolledKiosk], signed_in: dict[str, ConsoleClient]
) -> None:
    send(console, fleet["b1"], 2, peripherals=paper("out"))
    sweep_alerts(console.context.sessions, console.clock.now(), console.settings)
    with console.context.sessions() as db:
        alert_id = db.scalar(
            select(KioskAlert.id).where(KioskAlert.kiosk_id == fleet["b1"].kiosk_id)
        )
    village = signed_in["village"]
    other = fleet["b1"].kiosk_id
    answers = {
        "page": village.get(f"/console/fleet/kiosks/{other}"),
        "ack": village.post(f"/console/fleet/alerts/{alert_id}/acknowledge", {}),
        "revoke": village.post(f"/console/fleet/kiosks/{other}/revoke", {}),
        "enroll": village.post("/console/fleet/enroll", {"office": OFFICE_B, "hours": "2"}),
        "filter": village.get("/console/fleet?kecamatan=35.10.02"),
        "alerts": village.get("/console/fleet/alerts"),
    }
    assert answers["page"].status_code == 404 and answers["ack"].status_code == 404
    assert answers["revoke"].status_code == 403 and answers["enroll"].status_code == 403
    for name, reply in answers.items():
        # The address asked for is echoed in the language switch's link; nothing else may be.
        echo = reply.text.replace(f"/console/fleet/kiosks/{other}", "")
        assert other not in echo, name
    assert "Kertas habis" not in answers["alerts"].text  # office B's alert is not listed
    assert _alerts(console) == [(other, "paper_out", False, False)]  # not acknowledged
    # Their own kiosk's page opens.
    assert village.get(f"/console/fleet/kiosks/{fleet['a1'].kiosk_id}").status_code == 200
    # A made-up id gets the very same answer as another office's.
    made_up = village.get("/console/fleet/kiosks/KSK-NOSUCH")
    assert made_up.status_code == 404
    assert made_up.text.replace("KSK-NOSUCH", other) == answers["page"].text


def test_filters_by_kecamatan_state_and_problem(
    console: CentralServer, fleet: dict[str, EnrolledKiosk], signed_in: dict[str, ConsoleClient]
) -> None:
    admin = signed_in["admin"]
    a1, a2, b1 = (fleet[k].kiosk_id for k in ("a1", "a2", "b1"))
    by_kecamatan = admin.get("/console/fleet?kecamatan=35.10.02").text
    assert b1 in by_kecamatan and a1 not in by_kecamatan
    console.clock.advance(2 * console.settings.heartbeat_period_s)  # all three late now
    send(console, fleet["a1"], 2, peripherals=paper("low"))  # a1 up again, paper low
    late = admin.get("/console/fleet?state=late").text
    assert a2 in late and b1 in late and a1 not in late
    up = admin.get("/console/fleet?state=up").text
    assert a1 in up and a2 not in up
    sweep_alerts(console.context.sessions, console.clock.now(), console.settings)
    low = admin.get("/console/fleet?problem=paper_low").text
    assert a1 in low and a2 not in low and b1 not in low


def test_an_alert_is_raised_once_acknowledged_and_cleared_by_itself(
    console: CentralServer, fleet: dict[str, EnrolledKiosk], signed_in: dict[str, ConsoleClient]
) -> None:
    kiosk = fleet["a1"]
    send(console, kiosk, 2, peripherals=paper("out"))
    sessions, settings = console.context.sessions, console.settings
    assert sweep_alerts(sessions, console.clock.now(), settings).raised == 1
    assert sweep_alerts(sessions, console.clock.now(), settings).raised == 0  # once
    [(kiosk_id, kind, acked, cleared)] = _alerts(console)
    assert (kiosk_id, kind, acked, cleared) == (kiosk.kiosk_id, "paper_out", False, False)
    with sessions() as db:
        alert_id = db.scalar(select(KioskAlert.id))
    village = signed_in["village"]
    assert "Kertas habis" in village.get("/console/fleet/alerts").text
    done = village.post(f"/console/fleet/alerts/{alert_id}/acknowledge", {})
    assert done.status_code == 303
    assert _alerts(console) == [(kiosk.kiosk_id, "paper_out", True, False)]
    send(console, kiosk, 3, peripherals=paper("full"))  # paper refilled
    assert sweep_alerts(sessions, console.clock.now(), settings).cleared == 1
    assert _alerts(console) == [(kiosk.kiosk_id, "paper_out", True, True)]
    send(console, kiosk, 4, peripherals=paper("out"))  # out again: a new alert
    sweep_alerts(sessions, console.clock.now(), settings)
    assert _alerts(console)[-1] == (kiosk.kiosk_id, "paper_out", False, False)
    with sessions() as db:
        audit = db.scalars(select(OperatorAuditEntry.action)).all()
    assert "alert_acknowledge" in audit


def test_offline_app_state_backlog_and_version_alerts(
    console: CentralServer, fleet: dict[str, EnrolledKiosk]
) -> None:
    settings = console.settings.model_copy(update={"fleet_current_version": "0.2.0"})
    send(
        console,
        fleet["a1"],
        2,
        app_state="UNAVAILABLE",
        app_state_reason="hardware",
        outbox_backlog=settings.alert_backlog_items,
        peripherals=[{"name": "camera", "kind": "camera", "state": "error"}],
    )
    sweep_alerts(console.context.sessions, console.clock.now(), settings)
    kinds = {kind for kiosk, kind, _, _ in _alerts(console) if kiosk == fleet["a1"].kiosk_id}
    assert kinds == {"app_unavailable", "backlog", "camera_fault", "version_behind"}
    console.clock.advance(settings.alert_offline_after_s - 1)
    sweep_alerts(console.context.sessions, console.clock.now(), settings)
    assert not any(kind == "offline" for _, kind, _, _ in _alerts(console))
    console.clock.advance(2)
    sweep_alerts(console.context.sessions, console.clock.now(), settings)
    offline = {kiosk for kiosk, kind, _, _ in _alerts(console) if kind == "offline"}
    assert offline == {kiosk.kiosk_id for kiosk in fleet.values()}


def test_parallel_sweeps_raise_an_alert_once(
    console: CentralServer, fleet: dict[str, EnrolledKiosk]
) -> None:
    send(console, fleet["a1"], 2, peripherals=paper("out"))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            sweep_alerts(console.context.sessions, console.clock.now(), console.settings)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [kind for _, kind, _, _ in _alerts(console)] == ["paper_out"]


def test_revoke_from_the_kiosk_page(
    console: CentralServer, fleet: dict[str, EnrolledKiosk], signed_in: dict[str, ConsoleClient]
) -> None:
    tech = signed_in["technician"]
    kiosk = fleet["b1"]
    page = tech.get(f"/console/fleet/kiosks/{kiosk.kiosk_id}")
    assert "Cabut kios ini" in page.text
    assert tech.post(f"/console/fleet/kiosks/{kiosk.kiosk_id}/revoke", {}).status_code == 303
    refused = kiosk.session.post(
        f"{console.url}/v1/heartbeats", json=beat(kiosk.kiosk_id, 2), timeout=10
    )
    assert refused.status_code == 403
    assert "dicabut" in tech.get(f"/console/fleet/kiosks/{kiosk.kiosk_id}").text
    with console.context.sessions() as db:
        rows = db.execute(select(OperatorAuditEntry.action, OperatorAuditEntry.record)).all()
    assert ("kiosk_revoke", kiosk.kiosk_id) in rows


def test_an_enrolment_token_from_the_page_enrols_a_kiosk(
    console: CentralServer, signed_in: dict[str, ConsoleClient]
) -> None:
    admin = signed_in["admin"]
    admin.get("/console/fleet/enroll")
    bad = admin.post("/console/fleet/enroll", {"office": OFFICE_A, "hours": "0"})
    assert bad.status_code == 422 and "1 sampai 720" in bad.text
    made = admin.post("/console/fleet/enroll", {"office": OFFICE_A, "hours": "2"})
    assert made.status_code == 200
    token = made.text.split('<code class="token">')[1].split("</code>")[0]
    request = EnrollmentRequest(
        token=token, public_key=KioskKey.generate().public_key_b64(), hardware=HARDWARE
    )
    enrolled = requests.post(
        f"{console.url}/v1/enrollments",
        data=request.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert enrolled.status_code == 201
    kiosk_id = enrolled.json()["kiosk_id"]
    assert kiosk_id in admin.get("/console/fleet").text
    with console.context.sessions() as db:
        rows = db.execute(select(OperatorAuditEntry.action, OperatorAuditEntry.record)).all()
    assert ("enrollment_token_create", OFFICE_A) in rows


def test_metrics_in_prometheus_text_format(
    console: CentralServer, fleet: dict[str, EnrolledKiosk]
) -> None:
    send(console, fleet["a1"], 2, peripherals=paper("out"))
    console.clock.advance(2 * console.settings.heartbeat_period_s)
    send(console, fleet["a2"], 2, peripherals=paper("full"))
    reply = requests.get(f"{console.url}/metrics", timeout=10)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = set(reply.text.splitlines())
    assert 'anjungan_fleet_kiosks{state="up"} 1' in lines
    assert 'anjungan_fleet_kiosks{state="late"} 2' in lines
    assert 'anjungan_fleet_kiosks{state="offline"} 0' in lines
    assert "anjungan_heartbeats_per_second 0.017" in lines  # one kiosk in the last minute
    assert 'anjungan_fleet_alerts_open{kind="paper_out",acknowledged="false"} 1' in lines
    assert 'anjungan_fleet_alerts_raised_total{kind="paper_out"} 1' in lines
    for line in reply.text.splitlines():
        assert line.startswith("#") or line.startswith("anjungan_"), line


def test_metrics_can_require_a_token(console: CentralServer) -> None:
    console.context.settings = console.settings.model_copy(update={"metrics_token": "s3cret"})
    assert requests.get(f"{console.url}/metrics", timeout=10).status_code == 401
    ok = requests.get(
        f"{console.url}/metrics", headers={"Authorization": "Bearer s3cret"}, timeout=10
    )
    assert ok.status_code == 200


def test_a_rekey_token_from_the_kiosk_page_keeps_the_kiosk_and_lifts_a_revocation(
    console: CentralServer, fleet: dict[str, EnrolledKiosk], signed_in: dict[str, ConsoleClient]
) -> None:
    tech = signed_in["technician"]
    kiosk = fleet["b1"]
    assert tech.post(f"/console/fleet/kiosks/{kiosk.kiosk_id}/revoke", {}).status_code == 303
    assert "Buat token ganti kunci" in tech.get(f"/console/fleet/kiosks/{kiosk.kiosk_id}").text
    made = tech.post(f"/console/fleet/kiosks/{kiosk.kiosk_id}/rekey", {})
    assert made.status_code == 200
    token = made.text.split('<code class="token">')[1].split("</code>")[0]
    request = EnrollmentRequest(
        token=token, public_key=KioskKey.generate().public_key_b64(), hardware=HARDWARE
    )
    enrolled = requests.post(
        f"{console.url}/v1/enrollments",
        data=request.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["kiosk_id"] == kiosk.kiosk_id  # same id: its history stays
    # The revocation is lifted: the page offers "revoke" again and no longer says "dicabut <date>".
    assert "Cabut kios ini" in tech.get(f"/console/fleet/kiosks/{kiosk.kiosk_id}").text
    village = signed_in["village"]  # office A's operator: another office's kiosk
    assert village.post(f"/console/fleet/kiosks/{kiosk.kiosk_id}/rekey", {}).status_code == 403
    with console.context.sessions() as db:
        rows = db.execute(select(OperatorAuditEntry.action, OperatorAuditEntry.record)).all()
    assert ("kiosk_rekey_token_create", kiosk.kiosk_id) in rows
