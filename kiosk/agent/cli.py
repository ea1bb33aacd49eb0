"""``kiosk health ping``: the health agent, run once a minute by ``anjungan-health.timer``.

``kiosk`` hands ``health …`` straight to ``main`` here, before building its own parser (which
imports every command): the agent pays only for what it uses (kiosk/agent/__init__.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.cli_guard import run_guarded

if TYPE_CHECKING:
    from kiosk.agent.ping import PingResult

DEFAULT_STATE_DIR = Path("/var/lib/anjungan")  # kiosk.config.schema.DEFAULT_STATE_DIR
AGENT_SUBDIR = "agent"
STATE_DIRECTORY_ENV = "STATE_DIRECTORY"  # set by systemd from the unit's StateDirectory=
EXIT_OK = 0
EXIT_KEPT = 1  # the report was not delivered: kept for the next ping
EXIT_NOT_READY = 2  # no valid configuration, not enrolled, no key, or not allowed to run

DESCRIPTION = (
    "One look at the kiosk app from outside it, sent to the centre: the app is DOWN when its "
    "status file (heartbeat.status_file) is missing, says it stopped, names a process that is "
    "gone or is older than two heartbeat periods, or when systemd gave up restarting its unit "
    "(checked only where systemd runs); with it go the uptime, the disk, the temperature and "
    "the clock's offset from the centre. Signed with the kiosk's key. A report the centre "
    "cannot take now is kept (a day's worth at most) and sent with the next ping. Exit 0 "
    "delivered, 1 kept for later, 2 not configured or enrolled."
)


def default_agent_dir(env: dict[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    state = environ.get(STATE_DIRECTORY_ENV, "").split(":")[0]
    return (Path(state) if state else DEFAULT_STATE_DIR) / AGENT_SUBDIR


def add_ping_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-dir",
        type=Path,
        metavar="DIR",
        help="configuration directory (default $ANJUNGAN_CONFIG_DIR, else /etc/anjungan)",
    )
    parser.add_argument(
        "--agent-dir",
        type=Path,
        metavar="DIR",
        help="the agent's own folder: its buffer and configuration digest (default "
        f"$STATE_DIRECTORY/{AGENT_SUBDIR}, else {DEFAULT_STATE_DIR / AGENT_SUBDIR})",
    )
    parser.add_argument(
        "--unit",
        action="append",
        metavar="UNIT",
        help="a unit whose 'failed' state means the app is down (repeatable; default: "
        "anjungan-kiosk.service and anjungan-app.service)",
    )
    parser.set_defaults(handler=_ping)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``kiosk health`` in ``kiosk --help``; the commands run through ``main`` below."""
    health = subparsers.add_parser(
        "health",
        help="the health agent: tell the centre whether the app is alive (run by a timer)",
        description="The health agent's commands.",
    )
    _add_commands(health)


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="health_command", metavar="ACTION", required=True)
    ping = commands.add_parser(
        "ping", help="report the app's state and the PC's to the centre", description=DESCRIPTION
    )
    add_ping_arguments(ping)


def _refuse_root(agent_dir: Path) -> str | None:
    """Run as root, the agent would leave files in its folder that the timer's user cannot
    read or remove: refuse with the command to use instead."""
    if os.geteuid() != 0:
        return None
    try:
        owner = agent_dir.parent.stat().st_uid
    except OSError:
        return None
    if owner == 0:
        return None
    import pwd

    name = pwd.getpwuid(owner).pw_name
    return f"run it as {name}, the owner of {agent_dir.parent}: sudo -u {name} kiosk health ping"


def _ping(args: argparse.Namespace) -> int:
    from kiosk.agent.judge import KIOSK_UNITS
    from kiosk.agent.key import KeyUnusable
    from kiosk.agent.ping import ping
    from kiosk.agent.settings import SettingsError, config_dir, load_settings
    from kiosk.agent.spool import Busy

    agent_dir: Path = args.agent_dir or default_agent_dir()
    problem = _refuse_root(agent_dir)
    try:
        if problem is None:
            settings = load_settings(args.config_dir or config_dir(), agent_dir)
            if settings.kiosk_id is None:
                problem = "not enrolled: run kiosk-provision enroll"
            else:
                return _say(ping(settings, agent_dir, units=args.unit or KIOSK_UNITS))
    except SettingsError as err:
        problem = f"invalid configuration: {err}"
    except (KeyUnusable, Busy) as err:
        problem = str(err)
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        problem = f"{where}{err.strerror or err} (give --agent-dir a folder this user can write)"
    print(f"kiosk health ping: {problem}", file=sys.stderr)
    return EXIT_NOT_READY


def _say(result: PingResult) -> int:
    """One line for the journal (two when reports were dropped); the exit code."""
    verdict = result.verdict
    age = "" if verdict.status_age_s is None else f", status {verdict.status_age_s:.0f} s old"
    if verdict.up:
        app = f"app up ({verdict.app_state}{age})"
    else:
        app = f"app DOWN ({verdict.reason}{age})"
    if result.dropped:
        print(f"{result.dropped} report(s) dropped (refused by the centre, or the buffer full)")
    if result.problem is not None:
        print(f"{app}; centre not reached ({result.problem}): report kept, "
              f"{result.waiting} waiting")  # fmt: skip
        return EXIT_KEPT
    print(f"{app}; {result.delivered} report(s) delivered, {result.waiting} waiting")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk health", description="The health agent.")
    _add_commands(parser)
    args = parser.parse_args(argv)
    return run_guarded("kiosk health", args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
