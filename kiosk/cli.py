"""The `kiosk` command: one entry point, one sub-command per job.

Each feature module owns its sub-command through a ``register(subparsers)`` function, so this
file only lists them; adding a command never means editing another command's code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

from kiosk import __version__
from kiosk.cli_guard import run_guarded


class _Registrar(Protocol):
    def __call__(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


# The module that registers each top-level command. A command line naming one imports only
# that module: `kiosk run`, the long-running service, must not carry what other commands use
# (the printer emulator, the capture pipeline: OpenCV and the imaging stack, ~60 MB of RSS).
# `kiosk --help` imports them all, lazily, so a broken optional extra names itself.
COMMAND_MODULES = {
    "config": "kiosk.config.cli",
    "demo": "kiosk.demo.command",
    "devices": "kiosk.devices_cli",
    "printer-emulator": "kiosk.devices_cli",
    "health": "kiosk.agent.cli",
    "i18n": "kiosk.i18n.cli",
    "outbox": "kiosk.outbox.cli",
    "journey": "kiosk.demo.journey",
    "run": "kiosk.runtime.cli",
    "status": "kiosk.runtime.cli",
    "scan": "kiosk.scan_cli",
    "app": "screens.cli",
}


def _registrars(command: str | None) -> list[_Registrar]:
    """The ``register`` functions of ``command``'s module, or of every module."""
    names = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    return [importlib.import_module(name).register for name in dict.fromkeys(names)]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (``command`` given) one that knows only that command."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Anjungan self-service kiosk: the kiosk service, configuration, devices, "
        "journeys and the demo.",
    )
    parser.add_argument("--version", action="version", version=f"anjungan {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in _registrars(command):
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
    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_guarded("kiosk", handler, args)


if __name__ == "__main__":
    sys.exit(main())
