"""``kiosk config show|get|set|unset|check``: how technicians and tools read and change config.

``set`` and ``unset`` only ever rewrite the local drop-in ``kiosk.d/90-local.toml`` (never
``kiosk.toml`` or provisioning's drop-ins), and only after the whole resulting configuration
has validated, so a typo cannot leave a kiosk that fails at its next start.
Exit codes: 0 done; 1 the configuration on disk (or in the environment) is invalid, or the
drop-in could not be written; 2 the key asked for is unknown, or a change was refused because
the key, the value or the configuration it would produce is invalid (nothing written).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

import tomli_w

from common.card_uid import canonical_uid
from common.layered_config import (
    ConfigError,
    config_hash,
    dump_config,
    edit_dropin,
    env_name,
    get_dotted,
    parse_text_value,
)
from kiosk.config import (
    CONFIG_DIR_ENV,
    DEFAULT_CONFIG_DIR,
    DROPIN_DIR,
    ENV_PREFIX,
    LOCAL_DROPIN,
    MAIN_FILE,
    add_config_dir_option,
    config_dir,
    kiosk_layer_files,
    load_kiosk_config,
)
from kiosk.config.hardware import hardware_problems
from kiosk.config.schema import ENROLLMENT_OWNED, MIGRATIONS, KioskConfig
from kiosk.config.secrets import MAX_SECRET, BadSecret, check_pin, hash_secret

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_REFUSED = 2

# The setting that lets a card tap sign in without a PIN: set only with a deliberate flag.
NO_PIN_KEY = "kiosk.supervised"
NO_PIN_FLAG = "--allow-no-pin"

_DROPIN_HEADER = (
    "Written by `kiosk config set`. Change it with `kiosk config set|unset`; values here\n"
    "override kiosk.toml and earlier drop-ins, and ANJUNGAN_* environment variables override it."
)

_EPILOG = f"""\
layers, later wins: built-in defaults, DIR/{MAIN_FILE}, DIR/{DROPIN_DIR}/*.toml (by file name),
then environment variables {ENV_PREFIX}SECTION__KEY (e.g. {ENV_PREFIX}PRINTER__PROFILE=58mm).
DIR is --config-dir, else ${CONFIG_DIR_ENV}, else {DEFAULT_CONFIG_DIR}.
'set' and 'unset' change only DIR/{DROPIN_DIR}/{LOCAL_DROPIN}. Keys are dotted: printer.profile.
Every key, its default and its meaning: docs/config.md.
exit codes: 0 ok; 1 configuration invalid, or drop-in not writable; 2 unknown key, or change
refused because the result would be invalid (nothing is written then), or the key is set by
enrollment ({", ".join(sorted(ENROLLMENT_OWNED))}: re-enrol with kiosk-provision enroll), or
{NO_PIN_KEY} = true without {NO_PIN_FLAG}."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``kiosk config`` and its actions to the ``kiosk`` command."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_dir_option(common, inherited=True)
    formatter = argparse.RawDescriptionHelpFormatter
    parser = subparsers.add_parser(
        "config",
        parents=[common],
        help="show, check or change this kiosk's configuration",
        description="Read, validate and change the kiosk's layered configuration.",
        epilog=_EPILOG,
        formatter_class=formatter,
    )
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)

    show = actions.add_parser(
        "show",
        parents=[common],
        help="print the effective configuration (all layers merged)",
        description="Print every key with the value in effect after merging all layers.",
    )
    show.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    show.set_defaults(handler=_show)

    get = actions.add_parser(
        "get",
        parents=[common],
        help="print one effective value",
        description="Print the effective value of KEY: text as is, anything else as JSON "
        "(null when unset); a section name prints the whole section as JSON.",
    )
    get.add_argument("key", metavar="KEY", help="dotted key, e.g. printer.profile")
    get.set_defaults(handler=_get)

    set_ = actions.add_parser(
        "set",
        parents=[common],
        help=f"set a value in {DROPIN_DIR}/{LOCAL_DROPIN} after validating the result",
        description=f"Set KEY to VALUE in DIR/{DROPIN_DIR}/{LOCAL_DROPIN}. The whole resulting "
        "configuration is validated first; if anything is wrong nothing is written.",
    )
    set_.add_argument("key", metavar="KEY", help="dotted key, e.g. printer.profile")
    set_.add_argument(
        "value",
        metavar="VALUE",
        help="the value, read as TOML when the key's type allows (9100, true, 0x0416), "
        "else as text (58mm, /dev/ttyUSB0); true/false settings take only true or false; "
        "a VALUE that begins with '-' goes after --, as in: set -- KEY -VALUE",
    )
    set_.add_argument(
        NO_PIN_FLAG,
        action="store_true",
        help=f"needed to set {NO_PIN_KEY} = true, which lets a card tap sign in without a PIN "
        "(only for a kiosk staffed at all times)",
    )
    set_.set_defaults(handler=_set)

    unset = actions.add_parser(
        "unset",
        parents=[common],
        help=f"remove a key from {DROPIN_DIR}/{LOCAL_DROPIN} (lower layers apply again)",
        description=f"Remove KEY from DIR/{DROPIN_DIR}/{LOCAL_DROPIN} so the value from the "
        "lower layers (or the default) applies again; validated first like 'set'.",
    )
    unset.add_argument("key", metavar="KEY", help="dotted key, e.g. printer.profile")
    unset.set_defaults(handler=_unset)

    pin = actions.add_parser(
        "technician-pin",
        parents=[common],
        help="set the technician PIN (stored hashed) that opens maintenance mode",
        description="Read the technician PIN (6 to 12 digits) from the terminal, twice, or as "
        f"one line on standard input, and store only its scrypt hash as technician.pin_hash in "
        f"DIR/{DROPIN_DIR}/{LOCAL_DROPIN}. The PIN is never taken from the command line, "
        "where other users could read it.",
    )
    pin.set_defaults(handler=_technician_pin)
    card = actions.add_parser(
        "technician-card",
        parents=[common],
        help="add a technician card (its UID, stored hashed) that opens maintenance mode",
        description="Read a card UID (hex, as the reader reports it) as one line on standard "
        "input and add its scrypt hash to technician.card_hashes. "
        "`kiosk config unset technician.card_hashes` removes every technician card.",
    )
    card.set_defaults(handler=_technician_card)

    check = actions.add_parser(
        "check",
        parents=[common],
        help="validate every layer; print 'config OK' and the config hash",
        description="Load and validate every layer. Prints 'config OK HASH' (the sha256 the "
        "heartbeat reports) and the files read, or each problem with its file and line.",
    )
    check.set_defaults(handler=_check)


def _root(args: argparse.Namespace) -> Path:
    explicit: Path | None = getattr(args, "config_dir", None)
    return explicit or config_dir()


def _load(args: argparse.Namespace) -> KioskConfig | None:
    """The effective config, or ``None`` after printing why it is invalid."""
    try:
        return load_kiosk_config(_root(args))
    except ConfigError as err:
        _report(err)
        return None


def _report(err: ConfigError, prefix: str = "config error") -> None:
    for problem in (err, *err.others):
        where = f"{problem.where}: " if problem.where else ""
        print(f"{prefix}: {where}{problem.message}", file=sys.stderr)


def _show(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_INVALID
    data = dump_config(config)
    print(json.dumps(data, indent=2) if args.json else _as_toml(data), end="\n")
    return EXIT_OK


def _get(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_INVALID
    try:
        value = get_dotted(config, args.key)
    except ConfigError as err:
        print(f"refused: {err.message}", file=sys.stderr)
        return EXIT_REFUSED
    print(value if isinstance(value, str) else json.dumps(value, indent=2))
    return EXIT_OK


def _set(args: argparse.Namespace) -> int:
    if args.key in ENROLLMENT_OWNED:
        print(
            f"refused: {args.key} is set by enrollment and must match the kiosk's key at the "
            "centre: re-enrol with `kiosk-provision enroll --central URL --token=TOKEN` instead",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    value = parse_text_value(KioskConfig, args.key, args.value)
    turns_off_pin = args.key == NO_PIN_KEY and value is True
    if turns_off_pin and not args.allow_no_pin:
        print(
            f"refused: {NO_PIN_KEY} = true lets anyone holding a card sign in without its PIN. "
            f"Only for a kiosk staffed at all times: repeat with {NO_PIN_FLAG} to confirm.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    done = _edit(args, {args.key: value}, f"set {args.key} = {_toml_value(value)} in")
    if turns_off_pin and done == EXIT_OK:
        print(
            f"warning: {NO_PIN_KEY} is on: a card tap signs in without a PIN. Never leave this "
            "kiosk unattended; `kiosk config unset kiosk.supervised` turns the PIN back on.",
            file=sys.stderr,
        )
    return done


def _unset(args: argparse.Namespace) -> int:
    return _edit(args, {args.key: None}, f"{args.key} is no longer set in")


def _edit(args: argparse.Namespace, changes: dict[str, Any], done: str) -> int:
    root = _root(args)
    dropin = root / DROPIN_DIR / LOCAL_DROPIN
    try:
        edit_dropin(
            KioskConfig,
            files=kiosk_layer_files(root, also=(dropin,)),
            dropin=dropin,
            changes=changes,
            env_prefix=ENV_PREFIX,
            migrations=MIGRATIONS,
            header=_DROPIN_HEADER,
        )
    except ConfigError as err:
        _report(err, prefix="not changed")
        return EXIT_REFUSED
    except OSError as err:
        print(f"not changed: cannot write {dropin}: {err.strerror}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{done} {dropin}")
    override = env_name(args.key, ENV_PREFIX)
    if override in os.environ:
        print(f"note: {override} is set and overrides this file while it is", file=sys.stderr)
    return EXIT_OK


def _read_secret(prompt: str, *, twice: bool) -> str:
    """One line from the terminal (not echoed; asked twice when ``twice``) or from stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        if twice and getpass.getpass(f"{prompt} again: ") != first:
            raise BadSecret("the two entries differ")
        return first
    line = sys.stdin.readline(MAX_SECRET + 2)  # bounded: a PIN or a UID, never a file
    return line.rstrip("\r\n")


def _technician_pin(args: argparse.Namespace) -> int:
    try:
        pin = check_pin(_read_secret("technician PIN", twice=True))
    except BadSecret as err:
        print(f"refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    args.key = "technician.pin_hash"
    return _edit(args, {args.key: hash_secret(pin)}, "technician PIN (hashed) set in")


def _technician_card(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_INVALID
    try:
        uid = canonical_uid(_read_secret("card UID", twice=False))
    except ValueError:
        print("refused: not a card UID (hex digits, as the reader reports them)", file=sys.stderr)
        return EXIT_REFUSED
    args.key = "technician.card_hashes"
    hashes = [*config.technician.card_hashes, hash_secret(uid)]
    return _edit(args, {args.key: hashes}, "technician card (hashed) added in")


def _check(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        return EXIT_INVALID
    problems = hardware_problems(config)  # no silent simulators on a production kiosk
    for problem in problems:
        print(f"config error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_INVALID
    print(f"config OK {config_hash(config)}")
    read = [str(path) for path in kiosk_layer_files(_root(args)) if path.is_file()]
    print(f"files read: {', '.join(read) if read else 'none (built-in defaults)'}")
    return EXIT_OK


def _as_toml(data: dict[str, Any], table: str = "") -> str:
    """TOML text of the effective config, with unset keys as comments (TOML has no null)."""
    lines: list[str] = []
    tables = {key: value for key, value in data.items() if isinstance(value, dict)}
    for key, value in data.items():
        if key in tables:
            continue
        lines.append(f"# {key} is not set" if value is None else f"{key} = {_toml_value(value)}")
    for key, value in tables.items():
        name = f"{table}.{key}" if table else key
        lines.extend(["", f"[{name}]", _as_toml(value, name)])
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")
