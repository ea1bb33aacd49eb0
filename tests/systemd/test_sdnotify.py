"""kiosk.sdnotify against a real unix datagram socket, as systemd listens for it."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import sdnotify


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket bound to a short path (unix paths stop at 108 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="sdn"))
    path = folder / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        yield sock, str(path)
    path.unlink()
    folder.rmdir()


def test_ready_watchdog_stopping_arrive_as_systemd_reads_them(
    listener: tuple[socket.socket, str],
) -> None:
    sock, path = listener
    env = {"NOTIFY_SOCKET": path}
    assert sdnotify.ready(env)
    assert sock.recv(4096) == b"READY=1"
    assert sdnotify.watchdog(env)
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert sdnotify.stopping(env)
    assert sock.recv(4096) == b"STOPPING=1"


def test_status_is_one_bounded_line(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    assert sdnotify.status("printer:\nout of paper\n" + "x" * 5000, {"NOTIFY_SOCKET": path})
    received = sock.recv(8192)
    assert received.startswith(b"STATUS=printer: out of paper x")
    assert b"\n" not in received
    assert len(received) == len("STATUS=") + 1024


def test_abstract_namespace_address() -> None:
    name = f"anjungan-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(5)
        assert sdnotify.ready({"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(4096) == b"READY=1"


def test_reads_the_process_environment_by_default(
    listener: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sock, path = listener
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert sdnotify.watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"


def test_not_under_systemd_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.ready() is False
    assert sdnotify.notify("READY=1", {"NOTIFY_SOCKET": ""}) is False


def test_a_socket_nobody_listens_on_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.sdnotify"):
        assert sdnotify.watchdog({"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False
        assert sdnotify.ready({"NOTIFY_SOCKET": "@" + uuid.uuid4().hex}) is False
        assert sdnotify.ready({"NOTIFY_SOCKET": "/run/" + "x" * 200}) is False
    assert "cannot notify systemd" in caplog.text


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "30000000"}, 30.0),
        ({"WATCHDOG_USEC": "500000", "WATCHDOG_PID": str(os.getpid())}, 0.5),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "-5"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "cage"}, None),
    ],
)
def test_watchdog_interval(env: dict[str, str], expected: float | None) -> None:
    assert sdnotify.watchdog_interval(env) == expected


def test_an_inherited_watchdog_is_taken_only_when_asked() -> None:
    env = {"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}
    assert sdnotify.watchdog_interval(env) is None
    assert sdnotify.watchdog_interval(env, inherited=True) == 30.0
    assert sdnotify.watchdog_interval(env, pid=1) == 30.0
