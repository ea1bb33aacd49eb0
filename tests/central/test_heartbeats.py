"""Heartbeats in, fleet view out: liveness computed when read; operators only."""

from __future__ import annotations

from typing import Any

import requests

from central.contract.models import ErrorBody, Fleet, Liveness
from tests.support.central_server import CentralServer, EnrolledKiosk


def beat(kiosk_id: str, sequence: int, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kiosk_id": kiosk_id,
        "sequence": sequence,
        "sent_at": "2026-11-23T08:00:00+07:00",
        "boot_id": "6f1c2f4e-boot",
        "uptime_s": 3600.5,
        "versions": {"app": "0.1.0", "os": "Debian 12", "python": "3.11.7"},
        "config_hash": "ab" * 32,
        "app_state": "AVAILABLE",
        "resources": {
            "disk_free_mb": 20000,
            "disk_total_mb": 64000,
            "ram_free_mb": 1500,
            "ram_total_mb": 4096,
        },
        "network": {"interface": "eth0", "rtt_ms": 41.5},
        "outbox_backlog": 0,
        "last_transaction_at": None,
        "peripherals": [
            {
                "name": "printer",
                "kind": "printer",
                "state": "online",
                "supply": "low",
                "cover": "closed",
            },
            {"name": "card_reader", "kind": "card_reader", "state": "online"},
        ],
    }
    payload.update(overrides)
    return payload


def _fleet(central: CentralServer, api_key: str) -> Fleet:
    reply = requests.get(f"{central.url}/v1/fleet", headers={"X-Api-Key": api_key}, timeout=10)
    assert reply.status_code == 200, reply.text
    return Fleet.model_validate_json(reply.content)


def _send(central: CentralServer, kiosk: EnrolledKiosk, body: dict[str, Any]) -> requests.Response:
    return kiosk.session.post(f"{central.url}/v1/heartbeats", json=body, timeout=10)


def test_heartbeat_is_accepted_and_shown_in_the_fleet(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    reply = _send(central, kiosk, beat(kiosk.kiosk_id, 1))
    assert reply.status_code == 202
    assert reply.json()["next_in_s"] == 60
    fleet = _fleet(central, central.operator_api_key())
    entry = next(k for k in fleet.kiosks if k.kiosk_id == kiosk.kiosk_id)
    assert entry.liveness == "up"
    assert entry.heartbeat is not None
    assert entry.heartbeat.peripherals[0].supply == "low"
    assert fleet.counts[Liveness.UP] == 1


def test_liveness_goes_late_then_offline_then_back_up(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    api_key = central.operator_api_key()
    _send(central, kiosk, beat(kiosk.kiosk_id, 1))

    def liveness() -> str:
        fleet = _fleet(central, api_key)
        return next(k.liveness for k in fleet.kiosks if k.kiosk_id == kiosk.kiosk_id)

    central.clock.advance(90)  # 1.5 periods
    assert liveness() == "up"
    central.clock.advance(1)
    assert liveness() == "late"
    central.clock.advance(210 - 91)  # 3 periods + 30 s grace
    assert liveness() == "late"
    central.clock.advance(1)
    assert liveness() == "offline"
    _send(central, kiosk, beat(kiosk.kiosk_id, 2))
    assert liveness() == "up"


def test_never_seen_kiosk_is_listed_as_never(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    fleet = _fleet(central, central.operator_api_key())
    assert [k.liveness for k in fleet.kiosks if k.kiosk_id == kiosk.kiosk_id] == ["never"]


def test_kiosk_cannot_read_the_fleet(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    reply = kiosk.session.get(f"{central.url}/v1/fleet", timeout=10)
    assert reply.status_code == 401
    assert ErrorBody.model_validate_json(reply.content).code == "operator_auth_required"


def test_operator_login_token_reads_the_fleet(central: CentralServer) -> None:
    central.operator_api_key("siti")
    login = requests.post(
        f"{central.url}/v1/operator/login",
        json={"username": "siti", "password": "correct horse battery"},
        timeout=10,
    )
    assert login.status_code == 200
    token = login.json()["access_token"]
    reply = requests.get(
        f"{central.url}/v1/fleet", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert reply.status_code == 200
    central.clock.advance(8 * 3600 + 1)
    expired = requests.get(
        f"{central.url}/v1/fleet", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert expired.status_code == 401


def test_heartbeat_for_another_kiosk_is_refused(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    reply = _send(central, kiosk, beat("KSK-SOMEONE", 1))
    assert reply.status_code == 403
    assert ErrorBody.model_validate_json(reply.content).code == "kiosk_mismatch"


def test_malformed_heartbeat_is_a_422(central: CentralServer, kiosk: EnrolledKiosk) -> None:
    reply = _send(central, kiosk, beat(kiosk.kiosk_id, -5, app_state="SLEEPY"))
    assert reply.status_code == 422
    locations = {tuple(e["loc"]) for e in reply.json()["details"]["errors"]}
    assert ("body", "sequence") in locations and ("body", "app_state") in locations
