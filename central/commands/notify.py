"""``kiosk-central notify``: run the notification worker that drains the outbox
(central/notify/). One or more may run beside ``serve``, on the same database."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from central.settings import CentralSettings

EXIT_OK = 0
EXIT_USAGE = 2


def _run(
    args: argparse.Namespace,
    settings: CentralSettings,
) -> int:
    from central.clock import SystemClock
    from central.context import CentralContext
    from central.notify.notifier import HttpGatewayNotifier, LogNotifier, Notifier
    from central.notify.phones import box_for
    from central.notify.worker import NotificationWorker

    notifier: Notifier
    if args.log is not None:
        notifier = LogNotifier(args.log)
    elif settings.notify_gateway_url:
        notifier = HttpGatewayNotifier(
            settings.notify_gateway_url,
            settings.notify_gateway_token,
            timeout_s=settings.notify_timeout_s,
        )
    else:
        sys.stderr.write(
            "error: no gateway configured: set notify_gateway_url (central.toml or "
            "ANJUNGAN_CENTRAL_NOTIFY_GATEWAY_URL), or give --log FILE to record messages "
            "(numbers masked) instead of sending them\n"
        )
        return EXIT_USAGE
    context = CentralContext.create(settings, SystemClock())
    worker = NotificationWorker(
        context.sessions, notifier, box_for(context.identifier_key), context.clock, settings
    )
    try:
        if args.once:
            tried = worker.run_once()
            sys.stdout.write(f"{tried} notification(s) tried\n")
            return EXIT_OK
        stop = threading.Event()

        def on_signal(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        worker.serve(stop)
        return EXIT_OK
    finally:
        context.engine.dispose()


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    settings_of: Callable[[argparse.Namespace], CentralSettings],
    require_current: Callable[[CentralSettings], None],
) -> None:
    """Add ``notify`` to `kiosk-central` (its --config-dir/--database-url)."""

    def run(args: argparse.Namespace) -> int:
        settings = settings_of(args)
        require_current(settings)
        return _run(args, settings)

    notify = sub.add_parser(
        "notify",
        parents=[common],
        help="send residents' notifications (SMS/WhatsApp gateway)",
        description="Send the notifications waiting in the database (a letter ready, a "
        "complaint answered) through the gateway at notify_gateway_url, retrying failures "
        "with backoff, until stopped (SIGTERM). Several may run at once: each message is "
        "sent by one of them.",
    )
    notify.add_argument("--once", action="store_true", help="try what is due now, then exit")
    notify.add_argument(
        "--log",
        type=Path,
        metavar="FILE",
        help="append messages to FILE (numbers masked) instead of sending them",
    )
    notify.set_defaults(handler=run)
