"""Updates into real virtualenvs from real wheels, watched through a real running process."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.update import (
    HealthCheck,
    Layout,
    UpdateFailed,
    UpdateResult,
    Watch,
    rollback,
    update,
)
from tests.support.wheels import ServiceManager, build_wheel

BIN = Path(sys.executable).parent
QUICK = Watch(window_s=30, settle_s=0.5, poll_s=0.05)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceManager]:
    manager = ServiceManager(tmp_path / "root", tmp_path / "status.json")
    yield manager
    manager.stop()


@pytest.fixture
def wheels(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "wheels"
    folder.mkdir()
    return {
        "1.0.0": build_wheel(folder, "1.0.0"),
        "1.1.0": build_wheel(folder, "1.1.0"),
        "2.0.0-broken": build_wheel(folder, "2.0.0", healthy=False),
    }


def updated(root: Path, source: Path | str, service: ServiceManager) -> UpdateResult:
    """An update of the stand-in, watched quickly, each restart judged by a fresh look."""
    return update(
        root,
        str(source),
        restart=service.restart,
        health=lambda: service.health,
        how=QUICK,
        extras=(),
    )


def test_a_version_that_fails_its_health_check_is_rolled_back_by_itself(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    root = tmp_path / "root"
    first = updated(root, str(wheels["1.0.0"]), service)
    assert (first.healthy, first.rolled_back) == (True, False)
    assert service.running_version() == "1.0.0"

    broken = updated(root, str(wheels["2.0.0-broken"]), service)
    assert broken.rolled_back and broken.healthy
    assert broken.reason == "the new version failed its health check"
    assert broken.recovery_s is not None
    layout = Layout.under(root)
    assert layout.version_of("current") == "1.0.0"
    assert service.running_version() == "1.0.0"
    assert service.health() is True
    assert service.restarts == 3
    assert (layout.versions / "2.0.0" / "bin" / "kiosk").is_file()


def test_a_good_version_is_kept_and_rollback_goes_back(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    root = tmp_path / "root"
    updated(root, wheels["1.0.0"], service)
    kept = updated(root, str(wheels["1.1.0"]), service)
    assert (kept.version, kept.replaced, kept.healthy, kept.rolled_back) == (
        "1.1.0", "1.0.0", True, False,
    )  # fmt: skip
    layout = Layout.under(root)
    assert os.readlink(layout.link("current")) == "versions/1.1.0"
    assert os.readlink(layout.link("previous")) == "versions/1.0.0"
    assert service.running_version() == "1.1.0"

    assert rollback(root, restart=service.restart) == ("1.1.0", "1.0.0")
    assert layout.version_of("current") == "1.0.0"
    assert layout.version_of("previous") == "1.1.0"
    assert service.restarts == 3


def test_the_running_version_again_changes_nothing(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    root = tmp_path / "root"
    updated(root, wheels["1.0.0"], service)
    again = updated(root, str(wheels["1.0.0"]), service)
    assert again.reason == "version 1.0.0 is already running"
    assert service.restarts == 1


def test_a_wheel_pip_refuses_leaves_the_running_version_alone(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    root = tmp_path / "root"
    updated(root, wheels["1.0.0"], service)
    corrupt = tmp_path / "anjungan-3.0.0-py3-none-any.whl"
    corrupt.write_bytes(b"not a zip file")
    with pytest.raises(UpdateFailed, match="failed"):
        updated(root, corrupt, service)
    layout = Layout.under(root)
    assert layout.version_of("current") == "1.0.0"
    assert not (layout.versions / "3.0.0").exists()
    assert service.restarts == 1


def test_an_update_from_a_package_index(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    index = tmp_path / "index" / "anjungan"
    index.mkdir(parents=True)
    wheel = wheels["1.1.0"]
    (index / wheel.name).write_bytes(wheel.read_bytes())
    (index / "index.html").write_text(f'<a href="{wheel.name}">{wheel.name}</a>\n')
    result = updated(tmp_path / "root", (tmp_path / "index").as_uri(), service)
    assert (result.version, result.healthy) == ("1.1.0", True)
    assert service.running_version() == "1.1.0"


def test_one_update_at_a_time(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    root = tmp_path / "root"
    layout = Layout.under(root)
    layout.versions.mkdir(parents=True)
    with open(layout.base / ".update.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(UpdateFailed, match="another update or rollback is running"):
            updated(root, wheels["1.0.0"], service)
    assert service.restarts == 0


def provision(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk-provision"), *argv], capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip


def test_the_commands_refuse_with_a_message(tmp_path: Path) -> None:
    not_a_wheel = tmp_path / "kiosk.tar.gz"
    not_a_wheel.write_text("")
    result = provision("update", "--root", str(tmp_path), "--from", str(not_a_wheel))
    assert result.returncode == 1
    assert "is neither a wheel file nor a package index URL" in result.stderr
    other = tmp_path / "requests-2.0-py3-none-any.whl"
    other.write_text("")
    result = provision("update", "--root", str(tmp_path), "--from", str(other))
    assert (result.returncode, result.stderr.strip()) == (
        1, "update failed: requests-2.0-py3-none-any.whl is not a wheel of anjungan "
        "(expected anjungan-…whl)",
    )  # fmt: skip
    result = provision("rollback", "--root", str(tmp_path))
    assert (result.returncode, result.stderr.strip()) == (
        1, "rollback failed: there is no earlier version to go back to",
    )  # fmt: skip


def test_the_old_version_is_judged_by_a_fresh_check_after_a_rollback(
    tmp_path: Path, service: ServiceManager, wheels: dict[str, Path]
) -> None:
    """A check that remembers a failure (as the unit's restart count does) must not carry the
    new version's failure over to the old one."""
    made: list[int] = []

    def remembering() -> HealthCheck:
        made.append(1)
        failed = [False]

        def check() -> bool | None:
            state = service.health()
            failed[0] = failed[0] or state is False
            return False if failed[0] else state

        return check

    root = tmp_path / "root"
    updated(root, wheels["1.0.0"], service)
    result = update(
        root,
        str(wheels["2.0.0-broken"]),
        restart=service.restart,
        health=remembering,
        how=QUICK,
        extras=(),
    )
    assert (result.rolled_back, result.healthy, len(made)) == (True, True, 2)
    assert service.running_version() == "1.0.0"
