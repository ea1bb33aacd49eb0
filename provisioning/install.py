"""`kiosk-provision install`: put the kiosk's system pieces in place, idempotently.

What it installs is systemd-native declarations, not imperative changes: the kiosk user and its
groups as a sysusers.d entry, the state and config folders as a tmpfiles.d entry, the units, the
cage PAM session and the udev rules. A staging root (``--root``, for tests and image building)
holds exactly these files, and the booted system applies them by itself (systemd-sysusers and
systemd-tmpfiles run at every boot). On the live system (root ``/``) the same files are applied
at once through a command runner, which tests replace.

Every step compares before it writes, so a second run changes nothing and says so; nothing is
deleted. Errors are :class:`InstallFailed` with a message that says what to do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

KIOSK_USER = "anjungan"
# Displays and GPU (video, render), touch and keyboard-wedge devices (input), serial scanners
# and readers (dialout), USB printers (lp).
DEVICE_GROUPS = ("video", "input", "render", "dialout", "lp")
STATE_DIR = PurePosixPath("/var/lib/anjungan")
CONFIG_DIR = PurePosixPath("/etc/anjungan")
VERSIONS_DIR = PurePosixPath("/opt/anjungan/versions")
UNIT_DIR = PurePosixPath("/etc/systemd/system")
UDEV_RULES = PurePosixPath("/etc/udev/rules.d/60-anjungan.rules")
PAM_SERVICE = PurePosixPath("/etc/pam.d/anjungan-cage")
SYSUSERS = PurePosixPath("/etc/sysusers.d/anjungan.conf")
TMPFILES = PurePosixPath("/etc/tmpfiles.d/anjungan.conf")

RUNTIME_UNIT = "anjungan-kiosk.service"
APP_UNIT = "anjungan-app.service"
# Always enabled, whichever service runs the kiosk.
COMMON_ENABLED = ("anjungan-health.timer", "anjungan-firstboot.service")
SERVICE_UNITS: dict[str, str] = {"run": RUNTIME_UNIT, "app": APP_UNIT}
ServiceChoice = Literal["run", "app"]

FILE_MODE = 0o644
PRIVATE_FILE_MODE = 0o600
LIVE_ROOT = Path("/")

Runner = Callable[[Sequence[str]], None]


class InstallFailed(Exception):
    """A step could not be done; the message says which and what to do."""


def systemd_sources() -> Path:
    """The shipped ``systemd/`` folder: next to the packages in a checkout, or the wheel's
    data files (``<venv>/share/anjungan/systemd``) in an installed version."""
    for candidate in (
        Path(__file__).resolve().parent.parent / "systemd",
        Path(sys.prefix) / "share" / "anjungan" / "systemd",
    ):
        if (candidate / RUNTIME_UNIT).is_file():
            return candidate
    raise InstallFailed(
        "the unit files are missing from this installation (systemd/): reinstall the package"
    )


def sysusers_entry() -> str:
    lines = [
        "# Anjungan kiosk: the system user the kiosk services run as, and its device groups.",
        "# Written by kiosk-provision install; applied by systemd-sysusers at boot.",
        f'u {KIOSK_USER} - "Anjungan kiosk" {STATE_DIR} /usr/sbin/nologin',
    ]
    lines += [f"m {KIOSK_USER} {group}" for group in DEVICE_GROUPS]
    return "\n".join(lines) + "\n"


def tmpfiles_entry() -> str:
    return (
        "\n".join(
            [
                "# Anjungan kiosk folders. Written by kiosk-provision install; applied by",
                "# systemd-tmpfiles at boot. Config is root's (read by the kiosk group); state is",
                "# the kiosk user's alone (outbox, key, status file).",
                f"d {CONFIG_DIR} 0750 root {KIOSK_USER} -",
                f"d {CONFIG_DIR}/kiosk.d 0750 root {KIOSK_USER} -",
                f"d {STATE_DIR} 0750 {KIOSK_USER} {KIOSK_USER} -",
                f"d {STATE_DIR}/identity 0700 {KIOSK_USER} {KIOSK_USER} -",
                f"d {VERSIONS_DIR.parent} 0755 root root -",
                f"d {VERSIONS_DIR} 0755 root root -",
            ]
        )
        + "\n"
    )


# The folders a staging root gets at once, with the modes tmpfiles.d gives them on boot.
STAGED_DIRS: tuple[tuple[PurePosixPath, int], ...] = (
    (CONFIG_DIR, 0o750),
    (CONFIG_DIR / "kiosk.d", 0o750),
    (STATE_DIR, 0o750),
    (STATE_DIR / "identity", 0o700),
    (VERSIONS_DIR, 0o755),
)


@dataclass(frozen=True)
class Step:
    """One thing to put in place: a file with its content, a folder, an enabling link, or the
    absence of our own enabling link (the service not chosen)."""

    kind: Literal["file", "dir", "link", "unlink"]
    path: PurePosixPath
    mode: int = FILE_MODE
    content: bytes = b""
    target: PurePosixPath | None = None

    def describe(self) -> str:
        if self.kind == "unlink":
            return f"disable {self.path.name} (no link {self.path})"
        if self.kind == "link":
            return f"enable {self.path.name} (link {self.path} -> {self.target})"
        if self.kind == "dir":
            return f"folder {self.path} (mode {self.mode:04o})"
        return f"write {self.path} (mode {self.mode:04o})"

    def done(self, root: Path) -> bool:
        """Already in place, exactly."""
        where = _under(root, self.path)
        if self.kind == "unlink":  # only a link of ours is removed; anything else stays
            return not (where.is_symlink() and os.readlink(where) == str(self.target))
        if self.kind == "link":
            return where.is_symlink() and os.readlink(where) == str(self.target)
        if self.kind == "dir":
            return where.is_dir() and not where.is_symlink() and _mode(where) == self.mode
        return (
            where.is_file()
            and not where.is_symlink()
            and _mode(where) == self.mode
            and where.read_bytes() == self.content
        )

    def apply(self, root: Path) -> None:
        where = _under(root, self.path)
        if self.kind == "unlink":
            where.unlink()
            return
        where.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == "dir":
            where.mkdir(exist_ok=True)
            where.chmod(self.mode)
        elif self.kind == "link":
            _replace_with_link(where, str(self.target))
        else:
            _write_atomically(where, self.content, self.mode)


def _under(root: Path, path: PurePosixPath) -> Path:
    return root / path.relative_to("/")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def _write_atomically(path: Path, content: bytes, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.unlink(missing_ok=True)  # a stale one of ours; O_EXCL never follows a planted link
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _replace_with_link(path: Path, target: str) -> None:
    if path.exists() and not path.is_symlink():
        raise InstallFailed(f"{path} exists and is not a link: move it away and run again")
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, path)


def wanted_by(unit_text: str) -> list[str]:
    """The targets in a unit's ``[Install] WantedBy=``: where `systemctl enable` links it."""
    section = ""
    targets: list[str] = []
    for raw in unit_text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
        elif section == "[Install]" and line.startswith("WantedBy="):
            targets += line.removeprefix("WantedBy=").split()
    return targets


def plan(sources: Path, service: ServiceChoice = "run") -> list[Step]:
    """Every step, in order: declarations first, then folders, units, enabling links."""
    steps = [
        Step("file", SYSUSERS, content=sysusers_entry().encode()),
        Step("file", TMPFILES, content=tmpfiles_entry().encode()),
        *(Step("dir", path, mode=mode) for path, mode in STAGED_DIRS),
        Step("file", UDEV_RULES, content=(sources / "udev" / UDEV_RULES.name).read_bytes()),
        Step("file", PAM_SERVICE, content=(sources / "pam.d" / PAM_SERVICE.name).read_bytes()),
    ]
    units = sorted(p for p in sources.iterdir() if p.suffix in (".service", ".timer"))
    steps += [Step("file", UNIT_DIR / unit.name, content=unit.read_bytes()) for unit in units]
    for name in (SERVICE_UNITS[service], *COMMON_ENABLED):
        for target in wanted_by((sources / name).read_text()):
            steps.append(Step("link", UNIT_DIR / f"{target}.wants" / name, target=UNIT_DIR / name))
    # The two kiosk services conflict: the one not chosen must not stay enabled.
    other = next(unit for choice, unit in SERVICE_UNITS.items() if choice != service)
    for target in wanted_by((sources / other).read_text()):
        steps.append(Step("unlink", UNIT_DIR / f"{target}.wants" / other, target=UNIT_DIR / other))
    return steps


def live_commands() -> list[list[str]]:
    """What makes the files count on the running system (a staging root waits for boot)."""
    return [
        ["systemd-sysusers", str(SYSUSERS)],
        ["systemd-tmpfiles", "--create", str(TMPFILES)],
        ["udevadm", "control", "--reload-rules"],
        ["udevadm", "trigger", "--action=add"],
        ["systemctl", "daemon-reload"],
    ]


def run_command(argv: Sequence[str]) -> None:
    """The live system's runner: a failed command is an :class:`InstallFailed`."""
    try:
        subprocess.run(  # noqa: S603 - fixed systemd commands, no shell
            list(argv), check=True, capture_output=True, text=True, timeout=120
        )
    except FileNotFoundError as err:
        raise InstallFailed(f"{argv[0]} is not installed: install Debian's systemd") from err
    except subprocess.CalledProcessError as err:
        detail = (err.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise InstallFailed(f"{' '.join(argv)} failed: {detail[0]}") from err
    except subprocess.TimeoutExpired as err:
        raise InstallFailed(f"{' '.join(argv)} did not finish in {err.timeout:.0f} s") from err


@dataclass(frozen=True)
class Outcome:
    changed: list[Step]
    unchanged: list[Step]
    commands: list[list[str]]
    # What the units will still miss (the software itself), for the technician to see.
    missing: list[str]


# What the units start; the first version is put there by hand, later ones by update.
KIOSK_EXECUTABLE = PurePosixPath("/opt/anjungan/current/bin/kiosk")


def install(
    root: Path = LIVE_ROOT,
    *,
    service: ServiceChoice = "run",
    dry_run: bool = False,
    runner: Runner = run_command,
    sources: Path | None = None,
    live: bool | None = None,
) -> Outcome:
    """Put every step in place under ``root`` (the live system unless told otherwise).

    ``live`` (default: ``root`` is ``/``) also applies the files at once through ``runner``.
    """
    live = root.resolve() == LIVE_ROOT if live is None else live
    if live and not dry_run and os.geteuid() != 0:
        raise InstallFailed("installing on this system needs root: sudo kiosk-provision install")
    steps = plan(sources or systemd_sources(), service)
    changed: list[Step] = []
    unchanged: list[Step] = []
    for step in steps:
        try:
            in_place = step.done(root)
            if not in_place and not dry_run:
                step.apply(root)
        except OSError as err:
            raise InstallFailed(
                f"cannot {step.describe()}: {err.strerror or err}; check that {root} is "
                "writable (run as root for the live system)"
            ) from err
        (unchanged if in_place else changed).append(step)
    commands = live_commands() if live else []
    if not dry_run:
        for command in commands:
            runner(command)
    missing = [] if _under(root, KIOSK_EXECUTABLE).is_file() else [str(KIOSK_EXECUTABLE)]
    return Outcome(changed=changed, unchanged=unchanged, commands=commands, missing=missing)
