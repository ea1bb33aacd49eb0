"""Test tiers (docs/DESIGN.md, "Testing tiers"): ``unit``, ``integration``, ``e2e``.

A module declares ``pytestmark = pytest.mark.in_process``; its tests are the ``unit`` tier,
except their PostgreSQL variants (the server is a real stack, and libpq opens its sockets in C
where the guard below cannot see them). Unit tests run with no real stack: while one runs (its
fixtures included), starting a process or opening a network socket fails it, so the tier cannot
quietly grow slow or start needing a server. Every other test is ``integration``, except the
end-to-end journeys (``tests/journeys/``, the demo), which are ``e2e``. ``pytest -m unit`` runs
the fast tier alone; ``make test`` runs all three.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

TIERS = ("unit", "integration", "e2e")
_E2E_PATHS = ("tests/journeys/", "tests/test_demo.py")
_ROOT = Path(__file__).resolve().parent.parent


class RealStackInUnitTest(AssertionError):
    """A unit-tier test reached for a process or a socket: mark its module integration."""


def _refuse(what: str) -> NoReturn:
    raise RealStackInUnitTest(
        f"a unit test {what}; unit tests stay in process (move it to the integration tier)"
    )


@contextmanager
def _in_process_only() -> Iterator[None]:
    """Patch the two doors to a real stack, Popen and socket connect/bind, for one test."""

    def popen(*_args: Any, **_kwargs: Any) -> NoReturn:
        _refuse("started a process")

    def network(*_args: Any, **_kwargs: Any) -> NoReturn:
        _refuse("opened a network socket")

    saved = {
        (subprocess.Popen, "__init__"): subprocess.Popen.__init__,
        (socket.socket, "connect"): socket.socket.connect,
        (socket.socket, "connect_ex"): socket.socket.connect_ex,
        (socket.socket, "bind"): socket.socket.bind,
    }
    replacements = {"__init__": popen, "connect": network, "connect_ex": network, "bind": network}
    for (owner, name), _original in saved.items():
        setattr(owner, name, replacements[name])
    try:
        yield
    finally:
        for (owner, name), original in saved.items():
            setattr(owner, name, original)


def _tier_of(item: pytest.Item) -> str:
    if item.get_closest_marker("in_process") and not item.get_closest_marker("postgres"):
        return "unit"
    relative = Path(str(item.path)).resolve().relative_to(_ROOT).as_posix()
    if relative.startswith(_E2E_PATHS):
        return "e2e"
    return "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test its tier's marker, so ``-m unit|integration|e2e`` selects a tier."""
    for item in items:
        item.add_marker(_tier_of(item))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    if _tier_of(item) == "unit":
        with _in_process_only():
            yield
    else:
        yield
