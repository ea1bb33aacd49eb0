"""Re-keying an enrolled kiosk (issue 14 item 1): a re-key token bound to the kiosk lets it
replace its key and keep its id, office and history; the old key is refused in every centre
process from its next request. Real centre on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from central.contract.models import (
    EnrollmentRequest,
    EnrollmentResponse,
    Fleet,
    RekeyTokenCreated,
)
from central.models import HeartbeatRecord, Kiosk
from central.security.enrollment import create_rekey_token
from central.settings import CentralSettings
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner, SignedAuth
from tests.central.test_heartbeats import beat
from tests.support.central_server import HARDWARE, CentralServer, EnrolledKiosk

KIOSK_CENTRAL = str(Path(sys.executable).parent / "kiosk-central")


def _rekey_token(central: CentralServer, api_key: str, kiosk_id: str) -> requests.Response:
    return requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk_id}/rekey-tokens",
        json={"ttl_s": 3600},
        headers={"X-Api-Key": api_key, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )


def _enrol(central: CentralServer, token: str, key: KioskKey) -> requests.Response:
    request = EnrollmentRequest(token=token, public_key=key.public_key_b64(), hardware=HARDWARE)
    return requests.post(
        f"{central.url}/v1/enrollments",
        data=request.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )


def _as(central: CentralServer, kiosk_id: str, key: KioskKey) -> EnrolledKiosk:
    signer = RequestSigner(kiosk_id, key, clock=lambda: central.clock.now().timestamp())
    session = requests.Session()
    session.auth = SignedAuth(signer)
    return EnrolledKiosk(kiosk_id, key, signer, session)


def _catalog(central: CentralServer, kiosk: EnrolledKiosk) -> requests.Response:
    return kiosk.session.get(f"{central.url}/v1/catalog", timeout=10)


def _beat(central: CentralServer, kiosk: EnrolledKiosk, sequence: int) -> requests.Response:
    return kiosk.session.post(
        f"{central.url}/v1/heartbeats", json=beat(kiosk.kiosk_id, sequence), timeout=10
    )


def _history(central: CentralServer, kiosk_id: str) -> int:
    with central.context.sessions() as db:
        count = db.scalar(
            select(func.count())
            .select_from(HeartbeatRecord)
            .where(HeartbeatRecord.kiosk_id == kiosk_id)
        )
    return int(count or 0)


def test_a_rekeyed_kiosk_keeps_its_id_and_history_and_its_old_key_is_refused(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    api_key = central.operator_api_key()
    for sequence in (1, 2):
        assert _beat(central, kiosk, sequence).status_code == 202
    made = _rekey_token(central, api_key, kiosk.kiosk_id)
    assert made.status_code == 201, made.text
    token = RekeyTokenCreated.model_validate_json(made.content)
    assert token.kiosk_id == kiosk.kiosk_id

    new_key = KioskKey.generate()
    answer = _enrol(central, token.token, new_key)
    assert answer.status_code == 201, answer.text
    enrolled = EnrollmentResponse.model_validate_json(answer.content)
    assert (enrolled.kiosk_id, enrolled.office.id) == (kiosk.kiosk_id, "35.10.01.2001")

    assert _catalog(central, kiosk).json()["code"] in ("key_replaced", "signature_invalid")
    assert _beat(central, kiosk, 3).status_code == 401
    rekeyed = _as(central, kiosk.kiosk_id, new_key)
    assert _catalog(central, rekeyed).status_code == 200
    assert _beat(central, rekeyed, 3).status_code == 202
    assert _history(central, kiosk.kiosk_id) == 3  # the two old heartbeats and the new one
    fleet = Fleet.model_validate_json(
        requests.get(f"{central.url}/v1/fleet", headers={"X-Api-Key": api_key}, timeout=10).content
    )
    assert [k.kiosk_id for k in fleet.kiosks].count(kiosk.kiosk_id) == 1
    assert len(fleet.kiosks) == 1

    again = _enrol(central, token.token, KioskKey.generate())
    assert (again.status_code, again.json()["code"]) == (409, "token_used")


def test_a_revoked_kiosk_back_in_hand_is_let_in_again_under_its_new_key_only(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    api_key = central.operator_api_key()
    revoked = requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk.kiosk_id}/revoke",
        headers={"X-Api-Key": api_key, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert revoked.status_code == 200
    assert _catalog(central, kiosk).status_code == 403
    token = RekeyTokenCreated.model_validate_json(
        _rekey_token(central, api_key, kiosk.kiosk_id).content
    )
    new_key = KioskKey.generate()
    assert _enrol(central, token.token, new_key).status_code == 201
    assert _catalog(central, _as(central, kiosk.kiosk_id, new_key)).status_code == 200
    assert _catalog(central, kiosk).status_code == 401


def test_refusals_leave_the_kiosk_and_the_token_as_they_were(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    api_key = central.operator_api_key()
    unknown = _rekey_token(central, api_key, "KSK-NOSUCH22")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "kiosk_unknown")
    anonymous = requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk.kiosk_id}/rekey-tokens", json={}, timeout=10
    )
    assert anonymous.status_code == 401
    token = RekeyTokenCreated.model_validate_json(
        _rekey_token(central, api_key, kiosk.kiosk_id).content
    )
    other = central.enroll()  # its key is taken: the re-key is refused, the token not spent
    taken = _enrol(central, token.token, other.key)
    assert (taken.status_code, taken.json()["code"]) == (409, "public_key_enrolled")
    assert _catalog(central, kiosk).status_code == 200
    assert _enrol(central, token.token, KioskKey.generate()).status_code == 201

    with central.context.sessions() as db:
        late = create_rekey_token(db, other.kiosk_id, 60, central.clock.now())
    central.clock.advance(61)
    expired = _enrol(central, late.token, KioskKey.generate())
    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")
    assert _catalog(central, other).status_code == 200


def test_every_centre_process_refuses_the_old_key_and_takes_the_new_one(
    settings: CentralSettings, kiosk: EnrolledKiosk, central: CentralServer
) -> None:
    """Two servers on one database, each with its own key cache, as two worker processes."""
    second = CentralServer(settings, clock=central.clock).start()
    try:
        assert _catalog(second, kiosk).status_code == 200  # both have the old key cached
        assert _beat(second, kiosk, 1).status_code == 202
        token = RekeyTokenCreated.model_validate_json(
            _rekey_token(central, central.operator_api_key(), kiosk.kiosk_id).content
        )
        new_key = KioskKey.generate()
        assert _enrol(central, token.token, new_key).status_code == 201

        old_at_second = _catalog(second, kiosk)
        assert (old_at_second.status_code, old_at_second.json()["code"]) == (401, "key_replaced")
        assert _beat(second, kiosk, 2).status_code == 401
        rekeyed = _as(second, kiosk.kiosk_id, new_key)
        assert _catalog(second, rekeyed).status_code == 200
        # the heartbeat path may refuse the first beat under a key it has not seen (the
        # outbox resends it); never a second one
        statuses = [_beat(second, rekeyed, sequence).status_code for sequence in (3, 4)]
        assert statuses[-1] == 202 and statuses[0] in (202, 401)
    finally:
        second.stop()


def test_the_command_prints_a_token_the_kiosk_can_use(env: dict[str, str], tmp_path: Path) -> None:
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KIOSK_CENTRAL, *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run("migrate").returncode == 0
    assert run("seed", "--residents", "0").returncode == 0
    from central.db import make_engine, make_sessionmaker
    from central.security.enrollment import create_token, enroll

    engine = make_engine(env["ANJUNGAN_CENTRAL_DATABASE_URL"])
    try:
        with make_sessionmaker(engine)() as db:
            from central.clock import SystemClock

            now = SystemClock().now()
            first = EnrollmentRequest(
                token=create_token(db, "35.10.01.2001", 600, now).token,
                public_key=KioskKey.generate().public_key_b64(),
                hardware=HARDWARE,
            )
            kiosk_id = enroll(db, first, now, 60).kiosk_id
        printed = run("token", "rekey", "--kiosk", kiosk_id)
        assert printed.returncode == 0, printed.stderr
        assert "keeps its id and history" in printed.stderr
        again: dict[str, Any] = {
            "token": printed.stdout.strip(),
            "public_key": KioskKey.generate().public_key_b64(),
            "hardware": HARDWARE,
        }
        with make_sessionmaker(engine)() as db:
            answer = enroll(db, EnrollmentRequest.model_validate(again), SystemClock().now(), 60)
            assert answer.kiosk_id == kiosk_id
            assert db.scalar(select(func.count()).select_from(Kiosk)) == 1
    finally:
        engine.dispose()
    unknown = run("token", "rekey", "--kiosk", "KSK-NOSUCH22")
    assert unknown.returncode == 2 and "No kiosk with that id" in unknown.stderr
    assert "Traceback" not in unknown.stderr
