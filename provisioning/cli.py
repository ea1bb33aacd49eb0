"""The `kiosk-provision` command: what a technician runs to bring a kiosk into the fleet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from central.contract.layered_config import ConfigError
from kiosk import __version__
from kiosk.cli_guard import run_guarded
from kiosk.config import add_config_dir_option, config_dir
from kiosk.identity import IdentityError
from provisioning.enroll import EnrollmentFailed, enroll


def _enroll(args: argparse.Namespace) -> int:
    root = args.config_dir or config_dir()
    try:
        result = enroll(root, args.central, args.token)
    except (EnrollmentFailed, IdentityError, ConfigError) as err:
        print(f"enrollment failed: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"enrollment failed: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    print(f"enrolled as {result.kiosk_id} for {result.office_name} ({result.office_id})")
    print(f"configuration written to {result.dropin}; kiosk key in {result.key_file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-provision",
        description="Provision an Anjungan kiosk: enrol it with the centre and write its config.",
    )
    parser.add_argument("--version", action="version", version=f"anjungan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    enroll_cmd = sub.add_parser(
        "enroll",
        help="make this kiosk's key pair and register it with a one-time token",
        description="Makes the kiosk's Ed25519 key (kept if it exists), registers the public key "
        "with the centre using a one-time token from `kiosk-central token create`, and writes "
        "the kiosk id, office and centre URL to kiosk.d/10-enrollment.toml.",
    )
    enroll_cmd.add_argument("--central", required=True, help="centre base URL, e.g. https://…")
    enroll_cmd.add_argument(
        "--token",
        required=True,
        help="one-time enrollment token; write --token=TOKEN, since a token may begin with '-'",
    )
    add_config_dir_option(
        enroll_cmd,
        extra_help="outside /etc/anjungan the key is kept in DIR/identity/ unless "
        "identity.key_file is set",
    )
    enroll_cmd.set_defaults(handler=_enroll)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded("kiosk-provision", args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
