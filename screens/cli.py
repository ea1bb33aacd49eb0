"""``kiosk app``: its sub-command. Kivy is imported only when the command runs."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from common.layered_config import ConfigError
from kiosk.config import add_config_dir_option, load_kiosk_config
from kiosk.demo.visitor import CARD_ENV, PIN_ENV, card_from, visitor_from
from kiosk.runtime import logs
from kiosk.runtime.service import EXIT_NOT_CONFIGURED, NotReady

EXIT_USAGE = 2


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
    app.add_argument(
        "--receipts",
        type=Path,
        metavar="DIR",
        help="demo mode only: keep the simulated printer's receipts as PNG images in DIR",
    )
    app.add_argument(
        "--tour",
        type=Path,
        metavar="DIR",
        help="demo mode only: instead of waiting for residents, play the demo's scripted "
        "visits by touch, save a screenshot of every screen under DIR/screens and the "
        f"receipts under DIR/receipts, then exit (1 if a step did not happen). The demo "
        f"resident's card and PIN come from ${CARD_ENV} and ${PIN_ENV}, which "
        "`kiosk demo` sets; the card alone gives the window's F5 key its card",
    )
    app.set_defaults(handler=_app)


def _app(args: argparse.Namespace) -> int:
    logs.configure(logging.DEBUG if args.debug else logging.INFO)
    try:
        config = load_kiosk_config(args.config_dir)
    except ConfigError as err:
        print(f"kiosk app: invalid configuration: {err}", file=sys.stderr)
        return EXIT_NOT_CONFIGURED
    from screens.main import DemoOnly, DemoOptions, run

    demo = DemoOptions(
        receipts_dir=args.tour / "receipts" if args.tour else args.receipts,
        tour_dir=args.tour,
        visitor=visitor_from(os.environ),
        card_uid=card_from(os.environ),
    )
    try:
        return run(config, args.central, demo)
    except DemoOnly as refused:
        print(f"kiosk app: {refused}", file=sys.stderr)
        return EXIT_USAGE
    except NotReady as not_ready:
        for line in str(not_ready).splitlines():
            print(f"kiosk app: {line}", file=sys.stderr)
        return not_ready.exit_code
