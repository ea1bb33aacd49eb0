"""No command shows a person a traceback (issue 12, item 13).

Each case runs a real command as a subprocess on one of its error paths, and checks the exit
code, that the message says what to do, and that no "Traceback" reached the terminal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from central import cli as central_cli
from central.commands.process import free_port
from kiosk.cli_guard import DEBUG_ENV, run_guarded

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    code: int
    says: str


def _run(argv: tuple[str, ...], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]],
        env=env,
        input="a long enough password\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _check(case: Case, env: dict[str, str]) -> None:
    result = _run(case.argv, env)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == case.code, output
    assert case.says in result.stderr, output


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A technician's shell: an empty kiosk config dir and a central SQLite file not migrated."""
    (tmp_path / "etc").mkdir()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ANJUNGAN_")}
    return {
        **environ,
        "ANJUNGAN_CONFIG_DIR": str(tmp_path / "etc"),
        "ANJUNGAN_CENTRAL_DATABASE_URL": f"sqlite:///{tmp_path / 'central.sqlite3'}",
    }


MIGRATE_FIRST = "run 'kiosk-central migrate' first"


@pytest.mark.parametrize(
    "case",
    [
        Case(("kiosk-central", "token", "create", "--office", "35.10.01.2001"), 1, MIGRATE_FIRST),
        Case(("kiosk-central", "seed", "--residents", "3"), 1, MIGRATE_FIRST),
        Case(
            ("kiosk-central", "operator", "create", "--username", "budi", "--password-stdin"),
            1,
            MIGRATE_FIRST,
        ),
        Case(("kiosk-central", "migrate", "--database-url", "nonsense"), 2, "postgresql+psycopg"),
        Case(
            ("kiosk-central", "migrate", "--database-url", "mysql://db/x"), 2, "no database driver"
        ),
        Case(
            ("kiosk-central", "migrate", "--database-url", "postgresql://u@anjungan-db.invalid/x"),
            1,
            "cannot use the database",
        ),
        Case(
            ("kiosk-central", "token", "create", "--office", "35.10.01.2001", "--ttl-hours", "0"),
            2,
            "more than 0",
        ),
        Case(
            ("kiosk-central", "token", "create", "--office", "35.10.01.2001", "--ttl-hours", "-1"),
            2,
            "more than 0",
        ),
        Case(("kiosk-central", "seed", "--residents", "-1"), 2, "at least 0"),
    ],
    ids=lambda case: " ".join(case.argv[1:3]) + f" -> {case.code}",
)
def test_central_commands_explain_instead_of_a_traceback(case: Case, env: dict[str, str]) -> None:
    _check(case, env)


def test_postgres_scheme_is_understood(env: dict[str, str]) -> None:
    """`postgres://` (as Heroku-style settings spell it) reaches the driver, which then says
    nobody listens there; it used to end in NoSuchModuleError."""
    url = f"postgres://anjungan@127.0.0.1:{free_port()}/central"
    _check(Case(("kiosk-central", "migrate", "--database-url", url), 1, "Connection refused"), env)


def test_packaged_morning_template_is_refused_before_anything_runs(env: dict[str, str]) -> None:
    template = resources.files("kiosk.demo.journeys").joinpath("morning.toml")
    with resources.as_file(template) as script:
        _check(Case(("kiosk", "journey", "--script", str(script)), 2, "{card_uid}"), env)


def _script(folder: Path) -> Path:
    script = folder / "journey.toml"
    script.write_text('[[step]]\ndo = "tap_card"\ncard_uid = "0485C924C364C4"\n')
    return script


def test_journey_on_a_kiosk_not_enrolled(env: dict[str, str], tmp_path: Path) -> None:
    script = _script(tmp_path)
    _check(Case(("kiosk", "journey", "--script", str(script)), 2, "kiosk-provision enroll"), env)


def test_journey_with_an_unreadable_key(env: dict[str, str], tmp_path: Path) -> None:
    key = tmp_path / "kiosk.key"
    key.write_text("not a PEM key")
    (tmp_path / "etc" / "kiosk.toml").write_text(
        '[kiosk]\nmode = "demo"\nid = "KSK-TEST"\noffice_id = "35.10.01.2001"\n'
        f'[identity]\nkey_file = "{key}"\n'
    )
    script = _script(tmp_path)
    _check(Case(("kiosk", "journey", "--script", str(script)), 2, "unreadable"), env)


def test_journey_with_receipts_it_cannot_write(env: dict[str, str], tmp_path: Path) -> None:
    key = tmp_path / "kiosk.key"
    key.write_text("not read: the output folder is checked first")
    (tmp_path / "etc" / "kiosk.toml").write_text(
        '[kiosk]\nmode = "demo"\nid = "KSK-TEST"\noffice_id = "35.10.01.2001"\n'
        f'[identity]\nkey_file = "{key}"\n'
    )
    argv = ("kiosk", "journey", "--script", str(_script(tmp_path)), "--out", "/proc/receipts")
    _check(Case(argv, 2, "cannot write receipts to /proc/receipts"), env)


def test_journey_with_a_missing_scan_image(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "journey.toml"
    script.write_text('[[step]]\ndo = "scan"\nimage = "scans/kk.jpg"\n')
    _check(Case(("kiosk", "journey", "--script", str(script)), 2, "scans/kk.jpg"), env)


def test_enroll_where_the_key_cannot_be_written(env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    (tmp_path / "etc" / "kiosk.toml").write_text(
        f'[identity]\nkey_file = "{blocker / "kiosk.key"}"\n'
    )
    argv = ("kiosk-provision", "enroll", "--central", "http://127.0.0.1:9", "--token", "t" * 24)
    _check(Case(argv, 1, "cannot write the kiosk key"), env)


def _boom(_args: argparse.Namespace) -> int:
    raise RuntimeError("a bug nobody expected")


def test_an_unexpected_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last resort of every command: one line saying it is a bug, exit 1."""
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    monkeypatch.setattr(central_cli, "_openapi", _boom)
    assert central_cli.main(["openapi"]) == 1
    assert run_guarded("kiosk", _boom, argparse.Namespace()) == 1
    err = capsys.readouterr().err
    assert err.count("unexpected error (RuntimeError): a bug nobody expected") == 2
    assert "Traceback" not in err


def test_debug_brings_the_traceback_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")
    with pytest.raises(RuntimeError):
        run_guarded("kiosk", _boom, argparse.Namespace())


def test_the_app_tour_needs_a_demo_kiosk(env: dict[str, str], tmp_path: Path) -> None:
    """`kiosk app --tour` plays simulated visits: a production kiosk refuses it before any
    window or device opens."""
    (tmp_path / "etc" / "kiosk.toml").write_text('[kiosk]\nmode = "production"\n')
    tour = tmp_path / "tour"
    _check(Case(("kiosk", "app", "--tour", str(tour)), 2, 'need kiosk.mode = "demo"'), env)
    assert not tour.exists()
