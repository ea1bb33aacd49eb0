"""The `kiosk` command: one entry point, one sub-command per job.

Each feature module owns its sub-command through a ``register(subparsers)`` function, so this
file only lists them; adding a command never means editing another command's code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from kiosk import __version__
from kiosk.cli_guard import run_guarded


class _Registrar(Protocol):
    def __call__(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


def _registrars() -> list[_Registrar]:
    """Import lazily so `kiosk --help` stays fast and a broken optional extra names itself."""
    from kiosk import devices_cli, scan_cli
    from kiosk.agent import cli as agent_cli
    from kiosk.config import cli as config_cli
    from kiosk.demo import command as demo
    from kiosk.demo import journey
    from kiosk.i18n import cli as i18n_cli
    from kiosk.outbox import cli as outbox_cli
    from kiosk.runtime import cli as runtime_cli
    from screens import cli as screens_cli

    return [
        config_cli.register,
        demo.register,
        devices_cli.register,
        agent_cli.register,
        i18n_cli.register,
        outbox_cli.register,
        journey.register,
        runtime_cli.register,
        scan_cli.register,
        screens_cli.register,
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Anjungan self-service kiosk: the kiosk service, configuration, devices, "
        "journeys and the demo.",
    )
    parser.add_argument("--version", action="version", version=f"anjungan {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in _registrars():
        register(subparsers)
    return parser


# Commands run every minute by a timer: handed over before the full parser (which imports every
# command's module) is built, so they pay only for their own imports.
FAST_COMMANDS = frozenset({"health"})


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in FAST_COMMANDS:
        from kiosk.agent import cli as agent_cli

        return agent_cli.main(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_guarded("kiosk", handler, args)


if __name__ == "__main__":
    sys.exit(main())
