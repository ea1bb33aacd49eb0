"""The technician's and operator's commands, run for real as subprocesses."""

from __future__ import annotations

import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy.engine import make_url

from central.commands.process import free_port
from central.settings import load_central_settings
from tests.support.central_server import serve_command

BIN = Path(sys.executable).parent


def run(
    *argv: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def served(env: dict[str, str]) -> Iterator[str]:
    assert run("kiosk-central", "migrate", env=env).returncode == 0
    seeded = run("kiosk-central", "seed", "--residents", "12", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert "Demo identities" in seeded.stdout and "PIN" in seeded.stdout
    with serve_command(env) as url:
        yield url


def test_serve_refuses_an_unmigrated_database(env: dict[str, str]) -> None:
    result = run("kiosk-central", "serve", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "kiosk-central migrate" in result.stderr


def test_enroll_writes_key_and_dropin_once(
    served: str, env: dict[str, str], tmp_path: Path
) -> None:
    created = run("kiosk-central", "token", "create", "--office", "35.10.03.2001", env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    enrolled = run("kiosk-provision", "enroll", "--central", served, f"--token={token}", env=env)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "enrolled as KSK-" in enrolled.stdout

    key = tmp_path / "state" / "identity" / "kiosk.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    dropin = tomllib.loads((tmp_path / "etc" / "kiosk.d" / "10-enrollment.toml").read_text())
    assert dropin["kiosk"]["office_id"] == "35.10.03.2001"
    assert dropin["kiosk"]["id"].startswith("KSK-")
    assert dropin["central"]["url"] == served

    # A second run changes nothing and spends nothing: the kiosk is already enrolled.
    again = run("kiosk-provision", "enroll", "--central", served, f"--token={token}", env=env)
    assert again.returncode == 0, again.stderr
    assert "already enrolled" in again.stdout and "--rekey" in again.stdout
    dropin_path = tmp_path / "etc" / "kiosk.d" / "10-enrollment.toml"
    assert tomllib.loads(dropin_path.read_text()) == dropin


def test_enroll_reports_an_unreachable_centre(env: dict[str, str]) -> None:
    result = run(
        "kiosk-provision",
        "enroll",
        "--central",
        f"http://127.0.0.1:{free_port()}",
        "--token",
        "whatever-token",
        env=env,
    )
    assert result.returncode == 1
    assert "cannot reach the centre" in result.stderr


def test_token_for_unknown_office_is_refused(served: str, env: dict[str, str]) -> None:
    result = run("kiosk-central", "token", "create", "--office", "99.99", env=env)
    assert result.returncode == 2
    assert "No office" in result.stderr


def test_operator_api_key_reads_the_fleet(served: str, env: dict[str, str]) -> None:
    created = run(
        "kiosk-central",
        "operator",
        "create",
        "--username",
        "budi",
        "--password-stdin",
        "--api-key",
        env=env,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    api_key = created.stdout.strip()
    reply = requests.get(f"{served}/v1/fleet", headers={"X-Api-Key": api_key}, timeout=10)
    assert reply.status_code == 200
    duplicate = run(
        "kiosk-central",
        "operator",
        "create",
        "--username",
        "budi",
        "--password-stdin",
        env=env,
        stdin="another long password\n",
    )
    assert duplicate.returncode == 2


def test_bad_central_config_names_file_and_key(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "etc" / "central.toml").write_text("heartbeat_perod_s = 30\n")
    result = run("kiosk-central", "migrate", env=env)
    assert result.returncode == 2
    assert "central.toml" in result.stderr and "heartbeat_period_s" in result.stderr


@pytest.mark.parametrize("typed", ["Sarongan", "sarongn", "3510012001"])
def test_unknown_office_suggests_the_closest(served: str, env: dict[str, str], typed: str) -> None:
    result = run("kiosk-central", "token", "create", "--office", typed, env=env)
    assert result.returncode == 2
    assert "No office" in result.stderr
    assert "--office 35.10.01.2001  (desa Sarongan)" in result.stderr


def test_enroll_with_another_config_dir_keeps_the_key_there(
    served: str, env: dict[str, str], tmp_path: Path
) -> None:
    """`--config-dir X` whose config leaves the key path at its default: the key goes to
    X/identity/, recorded in the enrolment drop-in, never to /var/lib/anjungan."""
    other = tmp_path / "second-kiosk"
    other.mkdir()
    token = run("kiosk-central", "token", "create", "--office", "35.10.03.2001", env=env)
    enrolled = run(
        "kiosk-provision",
        "enroll",
        "--config-dir",
        str(other),
        "--central",
        served,
        f"--token={token.stdout.strip()}",
        env=env,
    )
    assert enrolled.returncode == 0, enrolled.stderr
    key = other / "identity" / "kiosk.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    dropin = tomllib.loads((other / "kiosk.d" / "10-enrollment.toml").read_text())
    assert dropin["identity"]["key_file"] == str(key)
    assert str(key) in enrolled.stdout


def test_the_default_database_is_one_absolute_path(tmp_path: Path) -> None:
    """Not relative to wherever a command happens to run (issue 12, item 14)."""
    url = make_url(load_central_settings(tmp_path, env={}).database_url)
    assert url.get_backend_name() == "sqlite"
    assert url.database == "/var/lib/anjungan-central/central.sqlite3"
