"""An undelivered outbox moved off a failing kiosk (issue 14 item 5): exported under a
passphrase (never personal data in clear), imported on the PC re-keyed into the same kiosk id,
delivered once each, even the one the old kiosk had delivered without hearing the answer.
Real centre on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from central.contract.models import EnrollmentRequest
from central.models import Complaint
from central.security.enrollment import create_rekey_token
from kiosk.identity import KioskKey
from kiosk.outbox import KIND_HEARTBEAT, Outbox
from kiosk.outbox.transfer import TransferError, export_outbox, import_outbox
from kiosk.runtime.status import RuntimeStatus, write_status
from kiosk.signing import RequestSigner, SignedAuth
from tests.outbox.conftest import SignedIn, wait_until
from tests.outbox.delivery import HttpDelivery, complaint
from tests.support.central_server import HARDWARE, CentralServer

PASSPHRASE = "kiosk desa sarongan 2026"
KIOSK = str(Path(sys.executable).parent / "kiosk")


def _rekeyed(centre: CentralServer, kiosk_id: str) -> tuple[requests.Session, KioskKey]:
    """The replacement PC: a new key, re-keyed into the same kiosk id."""
    with centre.context.sessions() as db:
        token = create_rekey_token(db, kiosk_id, 600, centre.clock.now()).token
    key = KioskKey.generate()
    request = EnrollmentRequest(token=token, public_key=key.public_key_b64(), hardware=HARDWARE)
    reply = requests.post(
        f"{centre.url}/v1/enrollments",
        data=request.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 201 and reply.json()["kiosk_id"] == kiosk_id
    session = requests.Session()
    session.auth = SignedAuth(
        RequestSigner(kiosk_id, key, clock=lambda: centre.clock.now().timestamp())
    )
    return session, key


def _complaints(centre: CentralServer, kiosk_id: str) -> int:
    with centre.context.sessions() as db:
        return int(
            db.scalar(
                select(func.count()).select_from(Complaint).where(Complaint.kiosk_id == kiosk_id)
            )
            or 0
        )


def test_an_outbox_moves_to_the_rekeyed_kiosk_and_each_item_arrives_once(
    centre: CentralServer, signed_in: SignedIn, tmp_path: Path
) -> None:
    kiosk = signed_in.kiosk
    old_delivery = HttpDelivery(kiosk.session, centre.url)
    old = Outbox(tmp_path / "old.sqlite3", kiosk.key, old_delivery, max_backoff_s=1)
    refs = [uuid.uuid4().hex for _ in range(3)]
    grant = {"X-Resident-Grant": signed_in.grant}
    for n, ref in enumerate(refs):
        old.enqueue("complaint", complaint(ref, n), local_ref=ref, headers=grant)
    old.enqueue(KIND_HEARTBEAT, {"kiosk_id": kiosk.kiosk_id, "sequence": 1})
    # the first one reached the centre, but its answer never came back to the old kiosk
    first = next(item for item in old.items() if item.local_ref == refs[0])
    assert old_delivery(first).outcome.value == "delivered"
    assert _complaints(centre, kiosk.kiosk_id) == 1

    export = tmp_path / "outbox.export"
    assert export_outbox(old, kiosk.kiosk_id, export, PASSPHRASE) == 3
    old.close()
    data = export.read_bytes()
    assert b"Lampu jalan" not in data and b"3510016502870001" not in data
    assert signed_in.grant.encode() not in data and refs[1].encode() not in data
    assert os.stat(export).st_mode & 0o777 == 0o600
    reopened = Outbox(tmp_path / "old.sqlite3", kiosk.key, old_delivery, max_backoff_s=1)
    with pytest.raises(TransferError, match="exists"):
        export_outbox(reopened, kiosk.kiosk_id, export, PASSPHRASE)
    reopened.close()

    session, new_key = _rekeyed(centre, kiosk.kiosk_id)
    delivery = HttpDelivery(session, centre.url)
    new = Outbox(tmp_path / "new.sqlite3", new_key, delivery, max_backoff_s=1)
    with pytest.raises(TransferError, match="wrong passphrase"):
        import_outbox(new, kiosk.kiosk_id, export, "not the passphrase at all")
    with pytest.raises(TransferError, match="import it on the PC re-keyed as"):
        import_outbox(new, "KSK-OTHER222", export, PASSPHRASE)
    assert import_outbox(new, kiosk.kiosk_id, export, PASSPHRASE).added == 3
    again = import_outbox(new, kiosk.kiosk_id, export, PASSPHRASE)
    assert (again.added, again.already) == (0, 3)

    new.start()
    try:
        wait_until(lambda: new.backlog() == 0)
    finally:
        new.close()
    assert _complaints(centre, kiosk.kiosk_id) == 3  # not 4: the first was answered, not stored
    assert delivery.replayed == 1


def test_the_commands_say_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "etc"
    config.mkdir()
    (config / "kiosk.toml").write_text(f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\n')
    passphrase = tmp_path / "passphrase"
    passphrase.write_text(PASSPHRASE + "\n")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [KIOSK, "outbox", *argv, "--config-dir", str(config), "--passphrase-file",
             str(passphrase)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert run("export", str(tmp_path / "x")).returncode == 2  # not enrolled
    (config / "kiosk.d").mkdir()
    (config / "kiosk.d" / "10-enrollment.toml").write_text(
        '[kiosk]\nid = "KSK-AAAA2222"\noffice_id = "35.10.01.2001"\n'
    )
    nothing = run("export", str(tmp_path / "x"))
    assert nothing.returncode == 1 and "no outbox at" in nothing.stderr
    KioskKey.generate().save(tmp_path / "state" / "identity" / "kiosk.key")
    (tmp_path / "not-an-export").write_text("hello")
    wrong = run("import", str(tmp_path / "not-an-export"))
    assert wrong.returncode == 1 and "not an outbox export" in wrong.stderr
    write_status(tmp_path / "state" / "status.json", RuntimeStatus(
        kiosk_id="KSK-AAAA2222", pid=os.getpid(), mode="production", app_state="AVAILABLE",
        reason=None, centre_reachable=True, outbox_backlog=0, heartbeats_sent=1,
        last_heartbeat_at=None, updated_at=datetime.now(UTC).isoformat(),
    ))  # fmt: skip
    running = run("import", str(tmp_path / "not-an-export"))
    assert running.returncode == 1 and "the kiosk service is running: stop it" in running.stderr
    assert "Traceback" not in nothing.stderr + wrong.stderr + running.stderr
