"""``kiosk run`` (the kiosk service) and ``kiosk status`` (what it is doing, for technicians)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any

from common.layered_config import ConfigError
from kiosk.config import KioskConfig, add_config_dir_option, load_kiosk_config
from kiosk.runtime import logs
from kiosk.runtime.service import EXIT_NOT_CONFIGURED, KioskService, NotReady, serve
from kiosk.runtime.status import read_status

STATUS_OK = 0  # running and serving (AVAILABLE or ACTIVE)
STATUS_UNAVAILABLE = 1  # running but out of service, or stopped
STATUS_NONE = 2  # no status file (never run here) or it cannot be read


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the kiosk service: devices, session, outbox and heartbeats",
        description="The kiosk without a display: starts the configured devices, the session, "
        "the outbox sender and the health loop (a heartbeat every heartbeat.period_s, and one "
        "at once when a device changes), and keeps heartbeat.status_file up to date. Stops "
        "cleanly on SIGTERM. Exit 2 when the kiosk is not enrolled or its config names no "
        'hardware (simulated devices need kiosk.mode = "demo"), 1 when it cannot start.',
    )
    add_config_dir_option(run)
    run.add_argument("--central", help="centre base URL (default: central.url)")
    run.add_argument("--debug", action="store_true", help="log debug lines too")
    run.set_defaults(handler=_run)

    status = subparsers.add_parser(
        "status",
        help="show what the running kiosk service reports (its status file)",
        description="Prints heartbeat.status_file as `kiosk run` last wrote it. Exit 0 when "
        "the service runs and serves, 1 when it is out of service or stopped, 2 when there "
        "is no status to show.",
    )
    add_config_dir_option(status)
    status.add_argument("--json", action="store_true", help="print the file as JSON")
    status.set_defaults(handler=_status)


def _config(args: argparse.Namespace, command: str) -> KioskConfig | None:
    try:
        return load_kiosk_config(args.config_dir)
    except ConfigError as err:
        print(f"kiosk {command}: invalid configuration: {err}", file=sys.stderr)
        return None


def _run(args: argparse.Namespace) -> int:
    logs.configure(logging.DEBUG if args.debug else logging.INFO)
    config = _config(args, "run")
    if config is None:
        return EXIT_NOT_CONFIGURED
    try:
        service = KioskService(config, central_url=args.central)
    except NotReady as not_ready:
        for line in str(not_ready).splitlines():
            print(f"kiosk run: {line}", file=sys.stderr)
        return not_ready.exit_code
    return serve(service)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running as another user
    return True


def _status(args: argparse.Namespace) -> int:
    config = _config(args, "status")
    if config is None:
        return STATUS_NONE
    path = config.heartbeat.status_file
    try:
        status = read_status(path)
    except (OSError, ValueError) as err:
        print(f"kiosk status: no status in {path} ({err.__class__.__name__}): "
              "is `kiosk run` running here?", file=sys.stderr)  # fmt: skip
        return STATUS_NONE
    running = status.get("app_state") != "STOPPED" and _alive(status.get("pid"))
    if args.json:
        print(json.dumps({**status, "running": running}, indent=2))
    else:
        print(_as_text(status, running))
    serving = running and status.get("app_state") in {"AVAILABLE", "ACTIVE"}
    return STATUS_OK if serving else STATUS_UNAVAILABLE


def _as_text(status: dict[str, Any], running: bool) -> str:
    state = status.get("app_state")
    if state == "STOPPED" or not running:
        state = "STOPPED (the service is not running)"
    elif status.get("reason"):
        state = f"{state} ({status['reason']})"
    centre = {True: "reachable", False: "unreachable", None: "not heard from yet"}
    lines = [
        f"kiosk {status.get('kiosk_id')}  mode {status.get('mode')}"
        + ("  DEMO" if status.get("mode") == "demo" else ""),
        f"state: {state}",
        f"centre: {centre.get(status.get('centre_reachable'), '?')}; last heartbeat confirmed "
        f"{status.get('last_heartbeat_at') or 'never'}; {status.get('heartbeats_sent')} sent",
        f"outbox: {status.get('outbox_backlog')} submission(s) waiting",
        "devices:",
    ]
    for device in status.get("devices", []):
        line = (
            f"  {device.get('role', '?'):<12} {device.get('state', '?'):<8} "
            f"supply={device.get('supply')} cover={device.get('cover')}"
        )
        if device.get("last_error"):
            line += f"  ({device['last_error']})"
        lines.append(line)
    lines.append(f"updated: {status.get('updated_at')}")
    return "\n".join(lines)
