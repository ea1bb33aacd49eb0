"""`kiosk-central operator create` takes a role and an office, and the account signs in to
the console of a real `kiosk-central serve`."""

from __future__ import annotations

import os
from pathlib import Path

import requests

from tests.central.test_cli import run
from tests.console.conftest import csrf_of
from tests.support.central_server import serve_command

PASSWORD = "a long enough password\n"


def _create(env: dict[str, str], *flags: str) -> tuple[int, str]:
    result = run(
        "kiosk-central", "operator", "create", "--password-stdin", *flags, env=env, stdin=PASSWORD
    )
    return result.returncode, result.stderr


def test_roles_offices_and_a_console_sign_in(tmp_path: Path) -> None:
    env = {**os.environ, "ANJUNGAN_CENTRAL_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"}
    assert run("kiosk-central", "migrate", env=env).returncode == 0
    assert run("kiosk-central", "seed", "--residents", "0", env=env).returncode == 0

    code, said = _create(env, "--username", "siti", "--role", "village_operator")
    assert code == 2 and "needs --office" in said
    code, said = _create(
        env, "--username", "siti", "--role", "village_operator", "--office", "99.99"
    )
    assert code == 2 and "no office with id '99.99'" in said
    code, said = _create(env, "--username", "joko", "--role", "technician", "--office", "35.10")
    assert code == 2 and "district-wide" in said
    code, said = _create(
        env, "--username", "siti", "--role", "village_operator", "--office", "35.10.01.2001"
    )
    assert code == 0 and "village_operator for office 35.10.01.2001" in said

    with serve_command(env) as url:
        browser = requests.Session()
        form = browser.get(f"{url}/", timeout=10)  # / → /console/ → the sign-in page
        assert form.url == f"{url}/console/login"
        signed = browser.post(
            f"{url}/console/login",
            data={"csrf": csrf_of(form.text), "username": "siti", "password": PASSWORD.strip()},
            timeout=10,
        )
        assert signed.url == f"{url}/console/"
        assert "Anda bekerja untuk kantor 35.10.01.2001." in signed.text
        assert browser.get(f"{url}/console/audit", timeout=10).status_code == 403


def test_help_names_the_console() -> None:
    result = run("kiosk-central", "serve", "--help", env=dict(os.environ))
    assert "console" in result.stdout
    roles = run("kiosk-central", "operator", "create", "--help", env=dict(os.environ))
    assert "village_operator" in roles.stdout and "--office" in roles.stdout
