"""`kiosk-central retention run` (what the daily timer starts) and `retention show`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from central.privacy.policy import POLICY
from central.settings import CentralSettings


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    settings_of: Callable[[argparse.Namespace], CentralSettings],
    require_current: Callable[[CentralSettings], None],
) -> None:
    """Add ``retention run|show`` to `kiosk-central` (its --config-dir/--database-url)."""

    def run(args: argparse.Namespace) -> int:
        from central.db import make_engine
        from central.privacy import retention

        settings = settings_of(args)
        require_current(settings)
        engine = make_engine(settings.database_url)
        try:
            removed = retention.run(engine, datetime.now(UTC))
        finally:
            engine.dispose()
        counts = ", ".join(f"{kind} {count}" for kind, count in removed.items())
        sys.stdout.write(f"retention run done: removed {counts}\n")
        return 0

    def show(_args: argparse.Namespace) -> int:
        for rule in POLICY:
            sys.stdout.write(
                f"{rule.kind}: {rule.record_en}: kept {rule.days} days {rule.from_en}, "
                f"then {rule.then_en}\n"
            )
        return 0

    retention = sub.add_parser(
        "retention",
        help="personal-data retention (UU PDP): the policy and the job enforcing it",
        description="How long the centre keeps each kind of personal record, and the job "
        "that removes what has been kept long enough (docs/backoffice.md).",
    )
    actions = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    run_parser = actions.add_parser(
        "run",
        parents=[common],
        help="remove what the policy says has been kept long enough (daily timer)",
        description="Apply the retention policy once, now: delete expired scans and "
        "never-attached uploads, erase old answers and complaint texts, delete old sign-in "
        "records. Safe to run again; prints how many records of each kind it removed "
        "(counts only). Exit 1 if the database cannot be reached or is not migrated.",
    )
    run_parser.set_defaults(handler=run)
    show_parser = actions.add_parser(
        "show", help="print the retention policy", description="Print the retention policy."
    )
    show_parser.set_defaults(handler=show)
