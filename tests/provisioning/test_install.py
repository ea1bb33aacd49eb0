"""`kiosk-provision install` into staging roots: what it writes, twice, and what it refuses."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from provisioning.install import (
    APP_UNIT,
    DEVICE_GROUPS,
    RUNTIME_UNIT,
    InstallFailed,
    install,
    plan,
    systemd_sources,
)
from tests.systemd.staging import add_host_units, add_stub_executables

BIN = Path(sys.executable).parent


def provision(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk-provision"), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes | str]]:
    """Every entry under root: mode, mtime and content (or link target)."""
    found: dict[str, tuple[int, int, bytes | str]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        content: bytes | str = (
            os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else b""
        )
        found[str(path.relative_to(root))] = (info.st_mode, info.st_mtime_ns, content)
    return found


def test_install_writes_the_kiosk_system_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    first = provision("install", "--root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "did change 17 of 18" in first.stdout
    assert "note: /opt/anjungan/current/bin/kiosk is not installed yet" in first.stderr

    units = tmp_path / "etc/systemd/system"
    for name in (RUNTIME_UNIT, APP_UNIT, "anjungan-health.service", "anjungan-health.timer"):
        assert (units / name).read_bytes() == (systemd_sources() / name).read_bytes()
        assert mode(units / name) == 0o644
    wants = units / "multi-user.target.wants" / RUNTIME_UNIT
    assert os.readlink(wants) == f"/etc/systemd/system/{RUNTIME_UNIT}"
    assert (units / "timers.target.wants/anjungan-health.timer").is_symlink()
    assert not (units / "multi-user.target.wants" / APP_UNIT).exists()
    assert (tmp_path / "etc/udev/rules.d/60-anjungan.rules").is_file()
    assert (tmp_path / "etc/pam.d/anjungan-cage").is_file()
    sysusers = (tmp_path / "etc/sysusers.d/anjungan.conf").read_text()
    for group in DEVICE_GROUPS:
        assert f"m anjungan {group}\n" in sysusers
    assert mode(tmp_path / "var/lib/anjungan") == 0o750
    assert mode(tmp_path / "var/lib/anjungan/identity") == 0o700
    assert mode(tmp_path / "etc/anjungan/kiosk.d") == 0o750

    add_stub_executables(tmp_path)
    before = snapshot(tmp_path)
    second = provision("install", "--root", str(tmp_path))
    assert second.returncode == 0, second.stderr
    assert "did change 0 of 18" in second.stdout
    assert "note:" not in second.stderr
    assert snapshot(tmp_path) == before


def test_a_changed_or_missing_file_is_put_back_and_nothing_else_is_touched(
    tmp_path: Path,
) -> None:
    install(tmp_path)
    unit = tmp_path / "etc/systemd/system" / RUNTIME_UNIT
    unit.write_text("[Service]\nExecStart=/bin/false\n")
    (tmp_path / "var/lib/anjungan/identity").chmod(0o755)
    (tmp_path / "etc/udev/rules.d/60-anjungan.rules").unlink()
    theirs = tmp_path / "etc/systemd/system/someone-else.service"
    theirs.write_text("[Service]\nExecStart=/bin/true\n")

    outcome = install(tmp_path)
    assert sorted(str(step.path) for step in outcome.changed) == [
        "/etc/systemd/system/anjungan-kiosk.service",
        "/etc/udev/rules.d/60-anjungan.rules",
        "/var/lib/anjungan/identity",
    ]
    assert unit.read_bytes() == (systemd_sources() / RUNTIME_UNIT).read_bytes()
    assert mode(tmp_path / "var/lib/anjungan/identity") == 0o700
    assert theirs.read_text() == "[Service]\nExecStart=/bin/true\n"


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    result = provision("install", "--root", str(tmp_path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would change 17 of 18" in result.stdout
    assert "+ write /etc/sysusers.d/anjungan.conf (mode 0644)" in result.stdout
    assert f"+ enable {RUNTIME_UNIT}" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_touchscreen_choice_enables_the_app_instead(tmp_path: Path) -> None:
    install(tmp_path)
    wants = tmp_path / "etc/systemd/system/multi-user.target.wants"
    assert (wants / RUNTIME_UNIT).is_symlink()
    install(tmp_path, service="app")
    assert (wants / APP_UNIT).is_symlink()
    assert not (wants / RUNTIME_UNIT).is_symlink()
    install(tmp_path, service="run")
    assert (wants / RUNTIME_UNIT).is_symlink()
    assert not (wants / APP_UNIT).is_symlink()


def test_a_link_not_ours_is_left_where_the_other_service_would_be(tmp_path: Path) -> None:
    wants = tmp_path / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    (wants / APP_UNIT).symlink_to("/usr/lib/systemd/system/somebody-elses.service")
    install(tmp_path)
    assert os.readlink(wants / APP_UNIT) == "/usr/lib/systemd/system/somebody-elses.service"


def test_the_installed_root_verifies_with_systemd(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze (Debian: systemd)")
    install(tmp_path)
    add_host_units(tmp_path)
    add_stub_executables(tmp_path)
    unit_dir = tmp_path / "etc/systemd/system"
    names = sorted(p.name for p in unit_dir.glob("anjungan-*"))
    result = subprocess.run(
        [analyze, "verify", f"--root={tmp_path}", "--man=no", *names],
        cwd=unit_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_systemd_sysusers_reads_the_user_entry(tmp_path: Path) -> None:
    sysusers = shutil.which("systemd-sysusers")
    if sysusers is None:
        pytest.skip("systemd-sysusers (Debian: systemd)")
    install(tmp_path)
    result = subprocess.run(
        [sysusers, f"--root={tmp_path}", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Creating user 'anjungan'" in result.stdout + result.stderr
    assert "Failed" not in result.stdout + result.stderr


def test_a_file_where_a_link_goes_is_refused_not_deleted(tmp_path: Path) -> None:
    blocker = tmp_path / "etc/systemd/system/timers.target.wants/anjungan-health.timer"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("mine\n")
    result = provision("install", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "exists and is not a link: move it away" in result.stderr
    assert "Traceback" not in result.stderr
    assert blocker.read_text() == "mine\n"


def test_an_unwritable_root_is_a_message_and_exit_1(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    result = provision("install", "--root", str(not_a_folder))
    assert result.returncode == 1
    assert result.stderr.startswith("install failed: cannot write /etc/sysusers.d/anjungan.conf")
    assert "Traceback" not in result.stderr


def test_the_live_system_needs_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    calls: list[list[str]] = []
    with pytest.raises(InstallFailed, match="needs root: sudo kiosk-provision install"):
        install(Path("/"), runner=lambda argv: calls.append(list(argv)))
    assert calls == []


def test_the_live_system_plan_lists_the_commands_that_apply_it() -> None:
    calls: list[list[str]] = []
    outcome = install(Path("/"), dry_run=True, runner=lambda argv: calls.append(list(argv)))
    assert calls == []
    assert ["systemd-sysusers", "/etc/sysusers.d/anjungan.conf"] in outcome.commands
    assert ["systemctl", "daemon-reload"] in outcome.commands
    assert len(outcome.changed) + len(outcome.unchanged) == len(plan(systemd_sources()))


def test_a_live_install_applies_the_files_after_writing_them(tmp_path: Path) -> None:
    calls: list[tuple[list[str], bool]] = []
    sysusers = tmp_path / "etc/sysusers.d/anjungan.conf"

    def record(argv: Sequence[str]) -> None:
        calls.append((list(argv), sysusers.is_file()))

    install(tmp_path, runner=record, live=True)
    assert [argv for argv, _written in calls] == [
        ["systemd-sysusers", "/etc/sysusers.d/anjungan.conf"],
        ["systemd-tmpfiles", "--create", "/etc/tmpfiles.d/anjungan.conf"],
        ["udevadm", "control", "--reload-rules"],
        ["udevadm", "trigger", "--action=add"],
        ["systemctl", "daemon-reload"],
    ]
    assert all(written for _argv, written in calls)


def test_a_failed_live_command_stops_the_install_with_its_message(tmp_path: Path) -> None:
    def refuse(argv: Sequence[str]) -> None:
        raise InstallFailed("systemd-sysusers failed: no such group")

    with pytest.raises(InstallFailed, match="systemd-sysusers failed"):
        install(tmp_path, runner=refuse, live=True)
