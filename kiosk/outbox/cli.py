"""``kiosk outbox export FILE`` and ``kiosk outbox import FILE`` (kiosk/outbox/transfer.py)."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from common.layered_config import ConfigError
from kiosk.config import KioskConfig, add_config_dir_option, load_kiosk_config

if TYPE_CHECKING:
    from kiosk.outbox import DeliveryResult, OutboxItem

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_CONFIGURED = 2
MAX_PASSPHRASE_CHARS = 1024


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = subparsers.add_parser(
        "outbox",
        help="move undelivered submissions off a failing kiosk (export, import)",
        description="Residents' submissions that the centre has not confirmed yet, sealed "
        "under a passphrase, to deliver them from the kiosk re-keyed into the same id.",
    )
    commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    export = commands.add_parser(
        "export",
        help="write this kiosk's undelivered submissions to FILE, sealed under a passphrase",
        description="Opens the outbox with this kiosk's key (point --config-dir at the old "
        "disk's configuration to read a failed kiosk's) and writes its undelivered "
        "submissions (never heartbeats) to FILE, encrypted under a passphrase of at least 12 "
        "characters (scrypt, AES-256-GCM), mode 0600. FILE must not exist. The outbox is "
        "left as it is.",
    )
    imported = commands.add_parser(
        "import",
        help="queue an export's submissions in this kiosk's outbox, to be delivered once",
        description="Reads an export made by `kiosk outbox export` and queues its submissions "
        "in this kiosk's outbox under their own references, so the centre stores each once "
        "even if the old kiosk had delivered it. Only on the kiosk with the same id (the "
        "replacement re-keyed with `kiosk-central token rekey`), with the kiosk service "
        "stopped; importing a file twice adds nothing. Exit 0 done, 1 refused, 2 not "
        "configured.",
    )
    for command, handler in ((export, _export), (imported, _import)):
        command.add_argument("file", type=Path, metavar="FILE")
        command.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="F",
            help="read the passphrase from F (default: asked on a terminal, else one line of "
            "stdin)",
        )
        add_config_dir_option(command)
        command.set_defaults(handler=handler)


def _passphrase(args: argparse.Namespace, confirm: bool) -> str:
    if args.passphrase_file is not None:
        with open(args.passphrase_file, encoding="utf-8") as handle:
            return handle.read(MAX_PASSPHRASE_CHARS).strip("\n")
    if sys.stdin.isatty():
        first = getpass.getpass("Passphrase: ")
        if confirm and getpass.getpass("Passphrase again: ") != first:
            raise ValueError("the two passphrases differ")
        return first
    return sys.stdin.readline(MAX_PASSPHRASE_CHARS).strip("\n")


def _config(args: argparse.Namespace, verb: str) -> KioskConfig | None:
    try:
        config = load_kiosk_config(args.config_dir)
    except ConfigError as err:
        print(f"kiosk outbox {verb}: invalid configuration: {err}", file=sys.stderr)
        return None
    if config.kiosk.id is None:
        print(f"kiosk outbox {verb}: not enrolled: no kiosk id", file=sys.stderr)
        return None
    return config


def _not_delivering(_item: OutboxItem) -> DeliveryResult:
    raise RuntimeError("an outbox opened to export or import never delivers")


def _export(args: argparse.Namespace) -> int:
    from kiosk.identity import IdentityError, KioskKey
    from kiosk.outbox import Outbox, OutboxError
    from kiosk.outbox.transfer import TransferError, export_outbox

    config = _config(args, "export")
    if config is None:
        return EXIT_NOT_CONFIGURED
    if not config.outbox.path.exists():
        print(f"kiosk outbox export: no outbox at {config.outbox.path}", file=sys.stderr)
        return EXIT_FAILED
    try:
        passphrase = _passphrase(args, confirm=True)
        key = KioskKey.load(config.identity.key_file)
        outbox = Outbox.open(config.outbox, key, _not_delivering)
        try:
            count = export_outbox(outbox, config.kiosk.id or "", args.file, passphrase)
        finally:
            outbox.close()
    except (TransferError, IdentityError, OutboxError, ValueError, OSError) as err:
        print(f"kiosk outbox export: {err}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{count} undelivered submission(s) of kiosk {config.kiosk.id} written to {args.file}")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from kiosk.agent.judge import judge
    from kiosk.identity import IdentityError, KioskKey
    from kiosk.outbox import Outbox, OutboxError
    from kiosk.outbox.transfer import TransferError, import_outbox

    config = _config(args, "import")
    if config is None:
        return EXIT_NOT_CONFIGURED
    if judge(config.heartbeat.status_file, config.heartbeat.period_s, time.time()).up:
        print(
            "kiosk outbox import: the kiosk service is running: stop it first (systemctl stop "
            "anjungan-kiosk), then import, then start it",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        passphrase = _passphrase(args, confirm=False)
        key = KioskKey.load(config.identity.key_file)
        outbox = Outbox.open(config.outbox, key, _not_delivering)
        try:
            result = import_outbox(outbox, config.kiosk.id or "", args.file, passphrase)
        finally:
            outbox.close()
    except (TransferError, IdentityError, OutboxError, ValueError, OSError) as err:
        print(f"kiosk outbox import: {err}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"{result.added} submission(s) queued for delivery"
        + (f", {result.already} already queued" if result.already else "")
        + "; start the kiosk service to deliver them"
    )
    return EXIT_OK
