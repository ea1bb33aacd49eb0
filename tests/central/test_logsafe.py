"""Database errors reach the server's log without the values they quote
(central/logsafe.py): the filter on every handler, and ``kiosk-central serve`` for real."""

from __future__ import annotations

import io
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from central.logsafe import RedactDatabaseErrors, server_log_config
from kiosk.identity import KioskKey
from tests.central.test_cli import run
from tests.support.central_server import HARDWARE, serve_command

NIK = "3510014705900012"


def _logged(error_source: str) -> str:
    """What a handler with the filter prints for ``log.exception`` while handling the
    error ``error_source`` raises."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactDatabaseErrors())
    logger = logging.getLogger(f"test.logsafe.{error_source}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            _raise(error_source)
        except Exception:
            logger.exception("unhandled error")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def _raise(error_source: str) -> None:
    if error_source == "plain":
        raise ValueError(f"not a database error, kept: {NIK}")
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE people (nik TEXT)"))
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON people "
                f"BEGIN SELECT RAISE(ABORT, 'refused nik {NIK}'); END"
            )
        )
        try:
            connection.execute(text("INSERT INTO people VALUES ('x')"))
        except IntegrityError as error:
            if error_source == "wrapped":
                raise RuntimeError("the request failed") from error
            raise


@pytest.mark.parametrize("error_source", ["database", "wrapped"])
def test_a_database_errors_message_is_withheld_and_the_frames_kept(error_source: str) -> None:
    logged = _logged(error_source)
    assert NIK not in logged
    assert "sqlalchemy.exc.IntegrityError: IntegrityError, code SQLITE_CONSTRAINT_TRIGGER" in logged
    assert "message withheld" in logged
    assert "in _raise" in logged  # the frames are still there
    if error_source == "wrapped":
        assert "direct cause of the following exception" in logged
        assert "RuntimeError: the request failed" in logged


def test_other_errors_are_logged_as_they_are() -> None:
    assert f"ValueError: not a database error, kept: {NIK}" in _logged("plain")


def test_the_servers_log_config_filters_every_handler() -> None:
    config = server_log_config()
    assert config["root"]["handlers"]
    for handler in config["handlers"].values():
        assert "redact_database_errors" in handler["filters"]


@pytest.fixture
def serving(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    assert run("kiosk-central", "migrate", env=env).returncode == 0
    assert run("kiosk-central", "seed", "--residents", "0", env=env).returncode == 0
    stderr = tmp_path / "serve.stderr"
    with stderr.open("w") as sink, serve_command(env, stderr=sink) as url:
        yield url, stderr


def test_a_server_error_from_the_database_is_logged_without_its_values(
    serving: tuple[str, Path],
    env: dict[str, str],
) -> None:
    url, stderr = serving
    database = env["ANJUNGAN_CENTRAL_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:  # the database refuses, quoting a value
        connection.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE ON enrollment_tokens "
            f"BEGIN SELECT RAISE(ABORT, 'refused nik {NIK}'); END"
        )
    created = run("kiosk-central", "token", "create", "--office", "35.10.03.2001", env=env)
    assert created.returncode == 0, created.stderr
    body = {
        "token": created.stdout.strip(),
        "public_key": KioskKey.generate().public_key_b64(),
        "hardware": HARDWARE.model_dump(mode="json"),
    }
    reply = requests.post(f"{url}/v1/enrollments", json=body, timeout=10)
    assert reply.status_code == 500
    assert reply.json()["code"] == "internal_error"
    deadline = time.monotonic() + 5
    while "message withheld" not in stderr.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    # uvicorn would log a re-raised error as soon as the response is out, before it serves
    # the next request: after this one, a second log would be there.
    assert requests.get(f"{url}/healthz", timeout=10).ok
    logged = stderr.read_text()
    assert "message withheld" in logged
    assert "Traceback" in logged
    assert NIK not in logged
    assert logged.count("unhandled error") == 1  # by the 500 handler, once
    assert "Exception in ASGI application" not in logged  # and not again by uvicorn
