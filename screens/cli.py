"""``kiosk app``: its sub-command. Kivy is imported only when the command runs."""

from __future__ import annotations

import argparse
import logging
import sys

from common.layered_config import ConfigError
from kiosk.config import add_config_dir_option, load_kiosk_config
from kiosk.runtime import logs
from kiosk.runtime.service import EXIT_NOT_CONFIGURED, NotReady


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    app = subparsers.add_parser(
        "app",
        help="run the kiosk with its touchscreen app (the runtime of `kiosk run` plus screens)",
        description="Starts what `kiosk run` starts (devices, session, outbox, heartbeats) and "
        "the touchscreen app on top of it: full screen at screen.orientation "
        "(1920x1080 or 1080x1920), no cursor, Escape and window close ignored, READY=1 and "
        'WATCHDOG=1 to systemd when it asks. With kiosk.mode = "demo" it runs on the '
        "simulated devices and shows a DEMO banner. Exit codes as `kiosk run`.",
    )
    add_config_dir_option(app)
    app.add_argument("--central", help="centre base URL (default: central.url)")
    app.add_argument("--debug", action="store_true", help="log debug lines too")
    app.set_defaults(handler=_app)


def _app(args: argparse.Namespace) -> int:
    logs.configure(logging.DEBUG if args.debug else logging.INFO)
    try:
        config = load_kiosk_config(args.config_dir)
    except ConfigError as err:
        print(f"kiosk app: invalid configuration: {err}", file=sys.stderr)
        return EXIT_NOT_CONFIGURED
    from screens.main import run

    try:
        return run(config, args.central)
    except NotReady as not_ready:
        for line in str(not_ready).splitlines():
            print(f"kiosk app: {line}", file=sys.stderr)
        return not_ready.exit_code
