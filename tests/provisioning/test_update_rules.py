"""The update's decisions, on a fake clock: when a new version is kept or given up."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.update import (
    UpdateFailed,
    Watch,
    all_healthy,
    judge_unit_state,
    status_file_fresh,
    watch,
    wheel_version,
)

pytestmark = pytest.mark.in_process


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def answers(*values: bool | None) -> Iterator[bool | None]:
    yield from values
    while True:
        yield values[-1]


def watched(values: Iterator[bool | None]) -> tuple[bool, str, float]:
    time = FakeTime()
    how = Watch(window_s=60, settle_s=10, poll_s=1, clock=time.clock, sleep=time.sleep)
    kept, reason = watch(lambda: next(values), how)
    return kept, reason, time.now


def test_kept_once_healthy_for_the_settle_time() -> None:
    assert watched(answers(None, None, True)) == (True, "healthy for 10 s", 12.0)


def test_a_failure_gives_up_at_once() -> None:
    assert watched(answers(None, True, False)) == (
        False, "the new version failed its health check", 2.0,
    )  # fmt: skip


def test_health_that_comes_and_goes_must_settle_again() -> None:
    values = answers(True, True, True, None, *([True] * 20))
    assert watched(values) == (True, "healthy for 10 s", 14.0)


def test_never_healthy_gives_up_at_the_window() -> None:
    assert watched(answers(None)) == (False, "not steadily healthy within 60 s", 60.0)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("ActiveState=activating\nNRestarts=0\n", None),
        ("ActiveState=active\nNRestarts=0\n", True),
        ("ActiveState=failed\nNRestarts=0\n", False),
        ("ActiveState=active\nNRestarts=1\n", False),
    ],
)
def test_unit_state(shown: str, expected: bool | None) -> None:
    first = [0]
    assert judge_unit_state(shown, first) is expected


def test_unit_state_remembers_the_first_restart_count() -> None:
    first: list[int] = []
    assert judge_unit_state("ActiveState=active\nNRestarts=4\n", first) is True
    assert first == [4]
    assert judge_unit_state("ActiveState=activating\nNRestarts=5\n", first) is False


def test_wheel_versions() -> None:
    assert wheel_version(Path("anjungan-0.2.0-py3-none-any.whl")) == "0.2.0"
    assert wheel_version(Path("anjungan-0.2.0-1-py3-none-any.whl")) == "0.2.0"
    with pytest.raises(UpdateFailed, match="not a wheel of anjungan"):
        wheel_version(Path("anjungan.whl"))
    with pytest.raises(UpdateFailed, match="not a wheel of anjungan"):
        wheel_version(Path("other-1.0-py3-none-any.whl"))


def test_a_status_file_counts_once_rewritten_and_while_fresh(tmp_path: Path) -> None:
    status = tmp_path / "status.json"
    status.write_text(json.dumps({"pid": os.getpid(), "app_state": "AVAILABLE"}))
    os.utime(status, (900, 900))
    wall = [1000.0]
    check = status_file_fresh(status, max_age_s=180, wall=lambda: wall[0])
    assert check() is None  # written before the restart: not this version's yet
    os.utime(status, (1010, 1010))
    wall[0] = 1020
    assert check() is True
    wall[0] = 1189
    assert check() is True
    wall[0] = 1191
    assert check() is False  # stopped writing it
    status.unlink()
    assert check() is False


def test_a_fresh_status_file_saying_the_runtime_stopped_is_a_failure(tmp_path: Path) -> None:
    status = tmp_path / "status.json"
    status.write_text(json.dumps({"pid": os.getpid(), "app_state": "STOPPED"}))
    os.utime(status, (900, 900))
    wall = [1000.0]
    check = status_file_fresh(status, max_age_s=180, wall=lambda: wall[0])
    assert check() is None  # the old version's last word, before the restart
    status.write_text(json.dumps({"pid": os.getpid(), "app_state": "STOPPED"}))
    os.utime(status, (1010, 1010))
    wall[0] = 1020
    assert check() is False  # the new version started, and stopped


def test_all_healthy_combines_the_checks() -> None:
    assert all_healthy(lambda: True, lambda: True)() is True
    assert all_healthy(lambda: True, lambda: None)() is None
    assert all_healthy(lambda: None, lambda: False)() is False
