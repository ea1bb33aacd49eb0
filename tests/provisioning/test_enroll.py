"""`kiosk-provision enroll` against a real centre on loopback, as the installed command.

Each failure the issue found as a new user is replayed: it must give one clear line, no
traceback, and leave the token unspent whenever the kiosk could not record the answer.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.commands.process import free_port
from tests.provisioning.conftest import OFFICE, make_config, provision
from tests.support.central_server import CentralServer

DROPIN = Path("kiosk.d") / "10-enrollment.toml"
KEY = Path("state") / "identity" / "kiosk.key"


def _dropin(config: Path) -> dict[str, dict[str, object]]:
    return tomllib.loads((config / DROPIN).read_text())


def _clean_failure(result: object) -> str:
    import subprocess

    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "unexpected error" not in result.stderr
    message: str = result.stderr
    return message


def test_token_on_stdin_enrols_and_a_second_run_changes_nothing(
    centre: CentralServer, config: Path
) -> None:
    result = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        stdin=centre.enrollment_token(OFFICE) + "\n",
    )
    assert result.returncode == 0, result.stderr
    written = _dropin(config)
    kiosk_id = written["kiosk"]["id"]
    assert isinstance(kiosk_id, str) and kiosk_id in result.stdout
    assert written["central"]["url"] == centre.url
    # receipts' QR codes will open the centre's public tracking page (issue 15 item 4)
    assert written["central"]["tracking_url"] == centre.url + "/lacak/{code}"
    assert stat.S_IMODE((config / KEY).stat().st_mode) == 0o600
    key = (config / KEY).read_bytes()

    spare = centre.enrollment_token(OFFICE)
    again = provision("enroll", "--central", centre.url, "--config-dir", str(config), stdin=spare)
    assert again.returncode == 0, again.stderr
    assert f"already enrolled as {kiosk_id}" in again.stdout
    assert "--rekey" in again.stdout
    assert _dropin(config)["kiosk"]["id"] == kiosk_id
    assert (config / KEY).read_bytes() == key
    # the spare token was not spent: another kiosk can use it
    other = make_config(config.parent / "other")
    assert (
        provision(
            "enroll", "--central", centre.url, "--config-dir", str(other), stdin=spare
        ).returncode
        == 0
    )


def test_token_file_and_the_token_option_both_work(centre: CentralServer, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(centre.enrollment_token(OFFICE) + "\n")
    first = make_config(tmp_path / "a")
    by_file = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(first),
        "--token-file",
        str(token_file),
    )
    assert by_file.returncode == 0, by_file.stderr
    second = make_config(tmp_path / "b")
    by_option = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(second),
        f"--token={centre.enrollment_token(OFFICE)}",
    )
    assert by_option.returncode == 0, by_option.stderr
    assert _dropin(first)["kiosk"]["id"] != _dropin(second)["kiosk"]["id"]


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("", "no enrollment token"),
        ("two words\n", "not an enrollment token"),
        ("x" * 5000, "not an enrollment token"),
    ],
)
def test_a_missing_or_malformed_token_is_refused_before_anything_is_written(
    centre: CentralServer, config: Path, stdin: str, expected: str
) -> None:
    result = provision("enroll", "--central", centre.url, "--config-dir", str(config), stdin=stdin)
    assert expected in _clean_failure(result)
    assert not (config / KEY).exists()


def test_an_unreadable_token_file_is_a_clear_message(centre: CentralServer, config: Path) -> None:
    result = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        "--token-file",
        str(config / "missing"),
    )
    assert "cannot read the token file" in _clean_failure(result)


def test_a_url_without_a_scheme_is_refused_with_what_to_write(
    centre: CentralServer, config: Path
) -> None:
    token = centre.enrollment_token(OFFICE)
    bare = centre.url.removeprefix("http://")
    result = provision("enroll", "--central", bare, "--config-dir", str(config), stdin=token)
    message = _clean_failure(result)
    assert "https://" in message and "No connection adapters" not in message
    assert not (config / KEY).exists()


def test_a_url_ending_in_v1_is_taken_as_the_centre(centre: CentralServer, config: Path) -> None:
    result = provision(
        "enroll",
        "--central",
        centre.url + "/v1/",
        "--config-dir",
        str(config),
        stdin=centre.enrollment_token(OFFICE),
    )
    assert result.returncode == 0, result.stderr
    assert _dropin(config)["central"]["url"] == centre.url


class _NotACentre(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_error(501)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def other_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", free_port()), _NotACentre)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_a_server_that_is_not_a_centre_is_named_so(other_server: str, config: Path) -> None:
    result = provision(
        "enroll", "--central", other_server, "--config-dir", str(config), stdin="token-123"
    )
    assert "is not an Anjungan centre" in _clean_failure(result)


def test_an_unreachable_centre_says_so_and_a_rerun_reuses_the_key(
    centre: CentralServer, config: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    token = centre.enrollment_token(OFFICE)
    result = provision("enroll", "--central", closed, "--config-dir", str(config), stdin=token)
    assert "cannot reach the centre" in _clean_failure(result)
    key = (config / KEY).read_bytes()
    resumed = provision("enroll", "--central", centre.url, "--config-dir", str(config), stdin=token)
    assert resumed.returncode == 0, resumed.stderr
    assert (config / KEY).read_bytes() == key


def test_an_unwritable_config_fails_before_the_token_is_spent(
    centre: CentralServer, config: Path
) -> None:
    (config / "kiosk.d").write_text("a file where the drop-in folder should be\n")
    token = centre.enrollment_token(OFFICE)
    result = provision("enroll", "--central", centre.url, "--config-dir", str(config), stdin=token)
    message = _clean_failure(result)
    assert "Nothing was sent to the centre" in message
    assert not (config / KEY).exists()
    (config / "kiosk.d").unlink()
    fixed = provision("enroll", "--central", centre.url, "--config-dir", str(config), stdin=token)
    assert fixed.returncode == 0, fixed.stderr


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)
def test_a_user_who_cannot_write_the_config_gets_a_message_not_a_traceback(
    centre: CentralServer,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="anjungan-ro-"))
    try:
        folder.chmod(0o755)
        config = make_config(folder / "etc")
        config.chmod(0o755)
        token = centre.enrollment_token(OFFICE)
        nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        result = provision(
            "enroll",
            "--central",
            centre.url,
            "--config-dir",
            str(config),
            stdin=token,
            prefix=nobody,
        )
        message = _clean_failure(result)
        assert "not writable by this user" in message
        assert "PermissionError" not in message
        # the token is still good
        assert (
            provision(
                "enroll", "--central", centre.url, "--config-dir", str(config), stdin=token
            ).returncode
            == 0
        )
    finally:
        shutil.rmtree(folder)


def test_rekey_enrols_again_keeping_the_old_key_and_resumes_after_a_refusal(
    centre: CentralServer, config: Path
) -> None:
    first = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        stdin=centre.enrollment_token(OFFICE),
    )
    assert first.returncode == 0, first.stderr
    old_id = _dropin(config)["kiosk"]["id"]
    old_key = (config / KEY).read_bytes()

    refused = provision(
        "enroll",
        "--rekey",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        stdin="not-a-token",
    )
    assert "Unknown enrollment token" in _clean_failure(refused)
    assert (config / KEY).read_bytes() == old_key
    assert _dropin(config)["kiosk"]["id"] == old_id
    pending = (config / KEY).with_name("kiosk.key.new").read_bytes()

    rekeyed = provision(
        "enroll",
        "--rekey",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        stdin=centre.enrollment_token("35.10.01.2002"),
    )
    assert rekeyed.returncode == 0, rekeyed.stderr
    assert _dropin(config)["kiosk"]["id"] != old_id
    assert _dropin(config)["kiosk"]["office_id"] == "35.10.01.2002"
    assert (config / KEY).read_bytes() == pending
    assert (config / KEY).with_name("kiosk.key.old").read_bytes() == old_key
    assert not (config / KEY).with_name("kiosk.key.new").exists()


def test_a_key_the_centre_already_knows_gets_what_to_do(
    centre: CentralServer, config: Path
) -> None:
    assert (
        provision(
            "enroll",
            "--central",
            centre.url,
            "--config-dir",
            str(config),
            stdin=centre.enrollment_token(OFFICE),
        ).returncode
        == 0
    )
    (config / DROPIN).unlink()  # the kiosk lost its id (the old bug, or a restored backup)
    token = centre.enrollment_token(OFFICE)
    result = provision("enroll", "--central", centre.url, "--config-dir", str(config), stdin=token)
    message = _clean_failure(result)
    assert "already knows this kiosk's key" in message and "--rekey" in message
    healed = provision(
        "enroll", "--rekey", "--central", centre.url, "--config-dir", str(config), stdin=token
    )
    assert healed.returncode == 0, healed.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands files to another user")
def test_run_as_root_the_key_belongs_to_the_owner_of_the_state_folder(
    centre: CentralServer, config: Path
) -> None:
    state = config / "state"
    state.mkdir()
    os.chown(state, 65534, 65534)  # as tmpfiles.d makes it for the kiosk's service user
    result = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        stdin=centre.enrollment_token(OFFICE),
    )
    assert result.returncode == 0, result.stderr
    for made in (config / KEY, (config / KEY).parent):
        assert (made.stat().st_uid, made.stat().st_gid) == (65534, 65534), made
    assert stat.S_IMODE((config / KEY).stat().st_mode) == 0o600
    assert (config / DROPIN).stat().st_uid == 0  # the configuration stays root's


def test_rekey_with_a_rekey_token_keeps_the_kiosk_id_and_its_history(
    centre: CentralServer, config: Path
) -> None:
    from central.security.enrollment import create_rekey_token

    first = provision(
        "enroll",
        "--central",
        centre.url,
        "--config-dir",
        str(config),
        stdin=centre.enrollment_token(OFFICE),
    )
    assert first.returncode == 0, first.stderr
    kiosk_id = _dropin(config)["kiosk"]["id"]
    old_key = (config / KEY).read_bytes()
    assert isinstance(kiosk_id, str)
    with centre.context.sessions() as db:
        token = create_rekey_token(db, kiosk_id, 600, centre.clock.now()).token
    rekeyed = provision(
        "enroll", "--rekey", "--central", centre.url, "--config-dir", str(config), stdin=token
    )
    assert rekeyed.returncode == 0, rekeyed.stderr
    assert f"re-keyed: kiosk {kiosk_id} keeps its id and history" in rekeyed.stdout
    assert _dropin(config)["kiosk"]["id"] == kiosk_id
    assert (config / KEY).read_bytes() != old_key
    assert (config / KEY).with_name("kiosk.key.old").read_bytes() == old_key
    with centre.context.sessions() as db:
        from central.models import Kiosk

        assert db.scalar(select(func.count()).select_from(Kiosk)) == 1
