"""Updates that roll back by themselves (`kiosk-provision update` and `rollback`).

Each version lives in its own virtualenv, ``/opt/anjungan/versions/<version>``, and the units
start ``/opt/anjungan/current/bin/kiosk``. An update installs the new version beside the running
one (a failed install changes nothing), points ``previous`` at the running version and
``current`` at the new one (each switch is the rename of a fresh symlink over the old, so a
power cut leaves one version or the other, never none), restarts the kiosk unit and watches its
health. A failed check, or no steady health within the window, switches ``current`` back and
restarts again: a village is never left without its kiosk (after Mender's A/B updates).

The restart and the health check are passed in (a command runner, a callable), so tests drive
real processes from real virtualenvs; ``status_file_fresh`` reads the runtime's status file by
the health agent's rule.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "anjungan"
INSTALL_DIR = Path("/opt/anjungan")
VERSIONS = "versions"
CURRENT = "current"
PREVIOUS = "previous"
LOCK = ".update.lock"
DEFAULT_UNIT = "anjungan-kiosk.service"
DEFAULT_EXTRAS = ("devices",)
# How long a new version has to show it is healthy, how long it must stay so, how often to look.
DEFAULT_WINDOW_S = 300.0
DEFAULT_SETTLE_S = 120.0
DEFAULT_POLL_S = 2.0
PIP_TIMEOUT_S = 900
# A wheel's file name: name-version(-build)?-python-abi-platform.whl (PEP 427).
_WHEEL_NAME = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$")
_SAFE_VERSION = re.compile(r"^[0-9A-Za-z.+!_]+$")

Runner = Callable[[Sequence[str]], None]
# True: healthy; False: failed (roll back now); None: not known yet (keep watching).
HealthCheck = Callable[[], bool | None]


class UpdateFailed(Exception):
    """The update or rollback could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Layout:
    """Where the versions and the two links are, under a root (``/`` on a kiosk)."""

    base: Path

    @classmethod
    def under(cls, root: Path) -> Layout:
        return cls(root / INSTALL_DIR.relative_to("/"))

    @property
    def versions(self) -> Path:
        return self.base / VERSIONS

    def link(self, name: str) -> Path:
        return self.base / name

    def version_of(self, name: str) -> str | None:
        """The version a link points at, or None when the link is absent."""
        link = self.link(name)
        if not link.is_symlink():
            return None
        return Path(os.readlink(link)).name

    def switch(self, name: str, version: str) -> None:
        """Point ``name`` at ``version`` atomically: a new link renamed over the old."""
        fresh = self.link(f".{name}.new")
        fresh.unlink(missing_ok=True)
        fresh.symlink_to(Path(VERSIONS) / version)
        os.replace(fresh, self.link(name))


@dataclass(frozen=True)
class UpdateResult:
    version: str
    replaced: str | None
    # The kiosk runs a healthy version (the new one, or the old one after a rollback).
    healthy: bool
    rolled_back: bool
    reason: str
    # Seconds from the failed health check to the old version healthy again (rollbacks only).
    recovery_s: float | None = None


@dataclass(frozen=True)
class Watch:
    """How the health check is watched after a restart."""

    window_s: float = DEFAULT_WINDOW_S
    settle_s: float = DEFAULT_SETTLE_S
    poll_s: float = DEFAULT_POLL_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def run_command(argv: Sequence[str]) -> None:
    """Run a command; a failure is an :class:`UpdateFailed` quoting its last line of stderr."""
    try:
        subprocess.run(  # noqa: S603 - fixed commands, no shell
            list(argv), check=True, capture_output=True, text=True, timeout=PIP_TIMEOUT_S
        )
    except FileNotFoundError as err:
        raise UpdateFailed(f"{argv[0]} is not installed") from err
    except subprocess.CalledProcessError as err:
        lines = (err.stderr or err.stdout or "").strip().splitlines()
        raise UpdateFailed(f"{' '.join(argv[:3])} … failed: {lines[-1] if lines else ''}") from err
    except subprocess.TimeoutExpired as err:
        raise UpdateFailed(f"{' '.join(argv[:3])} … did not finish in {err.timeout:.0f} s") from err


def systemctl_restart(unit: str) -> Callable[[], None]:
    return lambda: run_command(["systemctl", "restart", unit])


def unit_health(unit: str) -> HealthCheck:
    """Until the runtime's state file is wired in: a ``Type=notify`` unit is ``active`` only
    after READY=1; ``failed`` or a restart since the first look means the version failed."""
    first_restarts: list[int] = []

    def check() -> bool | None:
        try:
            shown = subprocess.run(  # noqa: S603 - fixed command
                ["systemctl", "show", "--property=ActiveState,NRestarts", unit],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        return judge_unit_state(shown, first_restarts)

    return check


def judge_unit_state(shown: str, first_restarts: list[int]) -> bool | None:
    """Read ``systemctl show`` output; ``first_restarts`` keeps the restart count first seen."""
    values = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
    restarts = int(values.get("NRestarts", "0") or 0)
    if not first_restarts:
        first_restarts.append(restarts)
    if values.get("ActiveState") == "failed" or restarts > first_restarts[0]:
        return False
    return True if values.get("ActiveState") == "active" else None


def status_file_fresh(
    path: Path, max_age_s: float, wall: Callable[[], float] = time.time
) -> HealthCheck:
    """Healthy once the runtime has rewritten its status file after this check was made, as
    long as it keeps doing so within ``max_age_s`` and the file says it runs; a stale file after
    a fresh one, or a fresh one saying the runtime stopped (or naming a process that is gone),
    is a failure. What the file says is read by the health agent's rule
    (``kiosk.agent.judge``), so an update and the centre's "app down" agree."""
    from kiosk.agent.judge import STALE_PERIODS, judge

    since = wall()
    seen_fresh = [False]

    def check() -> bool | None:
        try:
            written = path.stat().st_mtime
        except OSError:
            return False if seen_fresh[0] else None
        if written < since:  # the old version's file (it may well say STOPPED)
            return False if seen_fresh[0] else None
        verdict = judge(path, max_age_s / STALE_PERIODS, wall())
        if verdict.up and wall() - written <= max_age_s:
            seen_fresh[0] = True
            return True
        return False if seen_fresh[0] or verdict.reason == "stopped" else None

    return check


def all_healthy(*checks: HealthCheck) -> HealthCheck:
    """Failed if any check failed, healthy if all are, otherwise not known yet."""

    def check() -> bool | None:
        states = [each() for each in checks]
        if False in states:
            return False
        return True if all(state is True for state in states) else None

    return check


@contextmanager
def _locked(layout: Layout) -> Iterator[None]:
    """One update or rollback at a time (a second is refused, not queued)."""
    layout.versions.mkdir(parents=True, exist_ok=True)
    with open(layout.base / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise UpdateFailed("another update or rollback is running: wait for it") from err
        yield


def wheel_version(wheel: Path, package: str = PACKAGE) -> str:
    found = _WHEEL_NAME.match(wheel.name)
    if not found or found["name"].lower().replace("_", "-") != package:
        raise UpdateFailed(f"{wheel.name} is not a wheel of {package} (expected {package}-…whl)")
    version = found["version"]
    if not _SAFE_VERSION.match(version):
        raise UpdateFailed(f"{wheel.name}: unusable version {version!r}")
    return version


def fetch_from_index(index_url: str, into: Path, runner: Runner, package: str = PACKAGE) -> Path:
    """The newest wheel of the package from a package index, downloaded into ``into``."""
    runner(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--index-url",
            index_url,
            "--dest",
            str(into),
            package,
        ]
    )
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise UpdateFailed(f"the index {index_url} has no wheel of {package}")
    return wheels[-1]


def install_version(
    layout: Layout,
    wheel: Path,
    version: str,
    runner: Runner,
    *,
    extras: Sequence[str] = DEFAULT_EXTRAS,
    find_links: Path | None = None,
) -> Path:
    """A virtualenv for ``version`` with the wheel in it; removed again if the install fails
    and this call made it."""
    target = layout.versions / version
    made = not target.exists()
    requirement = f"{wheel.resolve()}[{','.join(extras)}]" if extras else str(wheel.resolve())
    offline = ["--no-index", "--find-links", str(find_links)] if find_links else []
    try:
        runner([sys.executable, "-m", "venv", "--without-pip", str(target)])
        runner(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(target / "bin" / "python"),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *offline,
                requirement,
            ]
        )
    except UpdateFailed:
        if made:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def watch(health: HealthCheck, how: Watch) -> tuple[bool, str]:
    """Healthy for ``settle_s`` within ``window_s``: (True, …); a failure or the window's end:
    (False, why)."""
    start = how.clock()
    healthy_since: float | None = None
    while True:
        now = how.clock()
        state = health()
        if state is False:
            return False, "the new version failed its health check"
        if state is True:
            healthy_since = now if healthy_since is None else healthy_since
            if now - healthy_since >= how.settle_s:
                return True, f"healthy for {how.settle_s:.0f} s"
        else:
            healthy_since = None
        if now - start >= how.window_s:
            return False, f"not steadily healthy within {how.window_s:.0f} s"
        how.sleep(how.poll_s)


def wait_healthy(health: HealthCheck, how: Watch) -> bool:
    """The first healthy answer within the window (after a rollback: the old version serves)."""
    deadline = how.clock() + how.window_s
    while how.clock() < deadline:
        if health() is True:
            return True
        how.sleep(how.poll_s)
    return False


def update(
    root: Path,
    source: str,
    *,
    restart: Callable[[], None],
    health: Callable[[], HealthCheck],
    runner: Runner = run_command,
    how: Watch | None = None,
    extras: Sequence[str] = DEFAULT_EXTRAS,
    find_links: Path | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> UpdateResult:
    """Install ``source`` (a wheel file or an index URL), switch to it, restart, and keep it
    only if it proves healthy; otherwise switch back and restart the old version.

    ``health`` makes a fresh check after each restart (a check may remember what it saw, such
    as the unit's restart count, and the old version must not be judged by the new one's).
    """
    how = how or Watch()
    layout = Layout.under(root)
    with _locked(layout), tempfile.TemporaryDirectory(prefix="anjungan-update-") as scratch:
        wheel = _wheel_from(source, Path(scratch), runner)
        version = wheel_version(wheel)
        running = layout.version_of(CURRENT)
        if running == version:
            return UpdateResult(
                version, running, True, False, f"version {version} is already running"
            )
        progress(f"installing version {version} into {layout.versions / version}")
        install_version(layout, wheel, version, runner, extras=extras, find_links=find_links)
        if running is not None:
            layout.switch(PREVIOUS, running)
        layout.switch(CURRENT, version)
        progress(f"switched to {version}; restarting and watching it (up to {how.window_s:.0f} s)")
        restart()
        kept, reason = watch(health(), how)
        if kept or running is None:
            return UpdateResult(version, running, kept, False, reason)
        failed_at = how.clock()
        progress(f"{reason}: going back to {running}")
        layout.switch(CURRENT, running)
        restart()
        back = wait_healthy(health(), how)
        recovery = how.clock() - failed_at if back else None
        note = "" if back else f"; version {running} is not healthy either: see journalctl"
        return UpdateResult(version, running, back, True, reason + note, recovery)


def _wheel_from(source: str, scratch: Path, runner: Runner) -> Path:
    if source.startswith(("http://", "https://", "file://")):
        return fetch_from_index(source, scratch, runner)
    wheel = Path(source)
    if wheel.suffix != ".whl" or not wheel.is_file():
        raise UpdateFailed(f"{source} is neither a wheel file nor a package index URL")
    return wheel


def rollback(root: Path, *, restart: Callable[[], None]) -> tuple[str, str]:
    """Swap ``current`` and ``previous`` and restart; (from, to)."""
    layout = Layout.under(root)
    with _locked(layout):
        running = layout.version_of(CURRENT)
        earlier = layout.version_of(PREVIOUS)
        if running is None or earlier is None or earlier == running:
            raise UpdateFailed("there is no earlier version to go back to")
        if not (layout.versions / earlier).is_dir():
            raise UpdateFailed(f"version {earlier} is no longer installed")
        layout.switch(PREVIOUS, running)
        layout.switch(CURRENT, earlier)
        restart()
        return running, earlier
