"""The `kiosk-provision` command: what a technician runs to bring a kiosk into the fleet."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from common.layered_config import ConfigError
from kiosk import __version__
from kiosk.cli_guard import run_guarded
from kiosk.config import add_config_dir_option, config_dir
from kiosk.identity import IdentityError
from provisioning.configure import Answers
from provisioning.enroll import AlreadyEnrolled, EnrollmentFailed, enroll

# A token is about 40 characters; anything far longer is not a token and is not read whole.
MAX_TOKEN_CHARS = 4096


def _read_token(args: argparse.Namespace) -> str:
    """The token from --token, --token-file (``-`` for stdin) or stdin, stripped."""
    if args.token is not None:
        text: str = args.token
    elif args.token_file is not None and str(args.token_file) != "-":
        try:
            with open(args.token_file, encoding="utf-8") as handle:
                text = handle.read(MAX_TOKEN_CHARS + 1)
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) else "not a text file"
            raise EnrollmentFailed(
                f"cannot read the token file {args.token_file}: {reason}"
            ) from err
    elif sys.stdin.isatty():
        text = getpass.getpass("Enrollment token: ")
    else:
        text = sys.stdin.read(MAX_TOKEN_CHARS + 1)
    token = text.strip()
    if not token:
        raise EnrollmentFailed(
            "no enrollment token: give it with --token-file FILE or on stdin "
            "(from `kiosk-central token create`)"
        )
    if len(text) > MAX_TOKEN_CHARS or len(token.split()) != 1:
        raise EnrollmentFailed("that is not an enrollment token: expected one word on one line")
    return token


def _enroll(args: argparse.Namespace) -> int:
    root = args.config_dir or config_dir()
    try:
        result = enroll(root, args.central, _read_token(args), rekey=args.rekey)
    except (EnrollmentFailed, IdentityError, ConfigError) as err:
        print(f"enrollment failed: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"enrollment failed: {_os_error(err)}", file=sys.stderr)
        return 1
    if isinstance(result, AlreadyEnrolled):
        print(
            f"already enrolled as {result.kiosk_id} (office {result.office_id}); nothing "
            "changed. To enrol again (another office, after a revoke, new disk) add --rekey "
            "and use a new token."
        )
        return 0
    if result.kept_id:
        print(
            f"re-keyed: kiosk {result.kiosk_id} keeps its id and history at the centre "
            f"({result.office_name}, {result.office_id}); the old key is kiosk.key.old"
        )
    else:
        print(f"enrolled as {result.kiosk_id} for {result.office_name} ({result.office_id})")
    print(f"configuration written to {result.dropin}; kiosk key in {result.key_file}")
    return 0


def _probe(args: argparse.Namespace) -> int:
    import json

    from kiosk.config import load_kiosk_config
    from provisioning.probe import as_table, probe

    try:
        state_dir = load_kiosk_config(args.config_dir or config_dir()).kiosk.state_dir
    except ConfigError as err:
        print(f"probe failed: {err}", file=sys.stderr)
        return 1
    report = probe(state_dir)
    print(json.dumps(report.as_dict(), indent=2) if args.json else as_table(report))
    return 0


def _skipped(args: argparse.Namespace) -> frozenset[str]:
    return frozenset(name for name in ("card", "receipt", "frame") if getattr(args, f"skip_{name}"))


def _selftest(args: argparse.Namespace) -> int:
    from kiosk.config import load_kiosk_config
    from kiosk.config.devices import device_specs
    from provisioning.selftest import as_table, selftest
    from provisioning.selftest_devices import hands_on_checks

    try:
        config = load_kiosk_config(args.config_dir or config_dir())
    except ConfigError as err:
        print(f"selftest failed: {err}", file=sys.stderr)
        return 1
    checks = selftest(config) + hands_on_checks(
        device_specs(config),
        config.kiosk.id,
        skip=_skipped(args),
        card_wait_s=args.card_wait,
        say=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(as_table(checks))
    failed = sum(not check.passed for check in checks)
    if failed:
        print(f"{failed} of {len(checks)} checks failed", file=sys.stderr)
        return 1
    return 0


def _install(args: argparse.Namespace) -> int:
    from provisioning.install import InstallFailed, install

    try:
        outcome = install(args.root, service=args.service, dry_run=args.dry_run)
    except InstallFailed as err:
        print(f"install failed: {err}", file=sys.stderr)
        return 1
    verb = "would" if args.dry_run else "did"
    for step in outcome.changed:
        print(f"+ {step.describe()}")
    for step in outcome.unchanged:
        print(f"= {step.describe()} (already in place)")
    for command in outcome.commands:
        print(f"{'+' if args.dry_run else '$'} {' '.join(command)}")
    print(
        f"{verb} change {len(outcome.changed)} of {len(outcome.changed) + len(outcome.unchanged)}"
        f" items under {args.root}"
    )
    for path in outcome.missing:
        print(
            f"note: {path} is not installed yet: the units need it (docs/install.md, step 3)",
            file=sys.stderr,
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-provision",
        description="Provision an Anjungan kiosk: enrol it with the centre and write its config, "
        "install its system user, units and udev rules, update it (with automatic rollback).",
    )
    parser.add_argument("--version", action="version", version=f"anjungan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    enroll_cmd = sub.add_parser(
        "enroll",
        help="make this kiosk's key pair and register it with a one-time token",
        description="Makes the kiosk's Ed25519 key (kept if it exists), registers the public key "
        "with the centre using a one-time token from `kiosk-central token create`, and writes "
        "the kiosk id, office and centre URL to kiosk.d/10-enrollment.toml. It checks that it "
        "can write both before contacting the centre; a re-run after a failure reuses the key. "
        "An enrolled kiosk is left as it is unless --rekey is given.",
    )
    enroll_cmd.add_argument(
        "--central", required=True, help="centre base URL with its scheme, e.g. https://…"
    )
    token = enroll_cmd.add_mutually_exclusive_group()
    token.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="read the one-time token from FILE ('-' for stdin); without this or --token it "
        "is read from stdin (asked for on a terminal)",
    )
    token.add_argument(
        "--token",
        help="the token itself (write --token=TOKEN): it shows in `ps` and shell history, "
        "prefer --token-file or stdin",
    )
    enroll_cmd.add_argument(
        "--rekey",
        action="store_true",
        help="enrol again under a new key (after a disk swap, a revoke, another office); with a "
        "re-key token (`kiosk-central token rekey`) the kiosk keeps its id and history, with "
        "an enrollment token it becomes a new kiosk; the old key is kept as kiosk.key.old",
    )
    add_config_dir_option(
        enroll_cmd,
        extra_help="outside /etc/anjungan the key is kept in DIR/identity/ unless "
        "identity.key_file is set",
    )
    enroll_cmd.set_defaults(handler=_enroll)
    probe_cmd = sub.add_parser(
        "probe",
        help="list the hardware, displays, touch panels, network and disk this PC has",
        description="Lists what the drivers detect (PC/SC readers, serial ports with VID/PID "
        "and serial number, USB printers, cameras), the displays and touch panels, the default "
        "route and DNS servers, and the free space where the kiosk keeps its state. Changes "
        "nothing and needs no root. Notes say what could not be listed and why.",
    )
    probe_cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_config_dir_option(probe_cmd, extra_help="used to find the state folder")
    probe_cmd.set_defaults(handler=_probe)
    selftest_cmd = sub.add_parser(
        "selftest",
        help="check the configured devices, the enrolment, the centre and the clock",
        description="Asks each configured device for its status (as the heartbeat does), loads "
        "the kiosk's key, calls the centre's /healthz and compares the kiosk's clock with the "
        "centre's Date header (signed requests are refused outside the centre's skew window), "
        "then waits for a card on the reader, prints a test receipt and captures a frame (each "
        "left out with its --skip- flag). Prints a PASS/FAIL/SKIP table. Exit 0 only when no "
        "check fails, 1 otherwise.",
    )
    _hands_on_options(selftest_cmd)
    add_config_dir_option(selftest_cmd)
    selftest_cmd.set_defaults(handler=_selftest)
    _register_setup(sub)
    _register_appliance(sub)
    return parser


def _os_error(err: OSError) -> str:
    where = f"{err.filename}: " if err.filename else ""
    hint = " (run it as root)" if isinstance(err, PermissionError) else ""
    return f"{where}{err.strerror or err}{hint}"


# update's exit codes besides 0 and 1 (see its --help).
ROLLED_BACK = 3
UNHEALTHY = 4


def _update(args: argparse.Namespace) -> int:
    from provisioning import update as updates

    how = updates.Watch(window_s=args.window * 60, settle_s=args.settle)

    def health() -> updates.HealthCheck:
        unit = updates.unit_health(args.unit)
        if not args.status_file:
            return unit
        return updates.all_healthy(
            unit, updates.status_file_fresh(args.status_file, args.status_max_age)
        )

    try:
        result = updates.update(
            args.root,
            args.source,
            restart=updates.systemctl_restart(args.unit),
            health=health,
            how=how,
            find_links=args.find_links,
            progress=print,
        )
    except updates.UpdateFailed as err:
        print(f"update failed: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"update failed: {_os_error(err)}", file=sys.stderr)
        return 1
    if result.rolled_back:
        back = "serves again" if result.healthy else "is back but not healthy either"
        print(f"version {result.version} rolled back ({result.reason}): {result.replaced} {back}")
        return ROLLED_BACK if result.healthy else UNHEALTHY
    if not result.healthy:
        print(f"version {result.version} is installed but not healthy: {result.reason}")
        return UNHEALTHY
    print(f"version {result.version} is running ({result.reason})")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from provisioning import update as updates

    try:
        left, now = updates.rollback(args.root, restart=updates.systemctl_restart(args.unit))
    except updates.UpdateFailed as err:
        print(f"rollback failed: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"rollback failed: {_os_error(err)}", file=sys.stderr)
        return 1
    print(f"back to version {now} (from {left}); {args.unit} restarted")
    return 0


def _ask(question: str, proposal: str | None) -> str:
    try:
        return input(f"{question} [{proposal or 'nothing found: type one'}]: ")
    except EOFError:
        return ""


def _answers(args: argparse.Namespace) -> tuple[Answers, Callable[[str, str | None], str] | None]:
    answers = Answers(
        card_reader=args.card_reader,
        printer=args.printer,
        camera=args.camera,
        code_scanner=args.scanner,
        paper=args.paper,
        orientation=args.orientation,
        demo=args.demo,
    )
    interactive = not args.yes and sys.stdin.isatty()
    return answers, (_ask if interactive else None)


def _configure(args: argparse.Namespace) -> int:
    from kiosk.config import load_kiosk_config
    from kiosk.config.hardware import hardware_problems
    from provisioning.configure import ConfigureFailed, configure
    from provisioning.probe import probe

    root = args.config_dir or config_dir()
    answers, ask = _answers(args)
    try:
        found = probe(load_kiosk_config(root).kiosk.state_dir).devices
        dropin, config = configure(root, answers, found, ask=ask)
    except (ConfigureFailed, ConfigError) as err:
        print(f"configure failed: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"configure failed: {_os_error(err)}", file=sys.stderr)
        return 1
    for device, choice in answers.choices.items():
        print(f"{device:<13} {choice}")
    print(f"written to {dropin}")
    for problem in hardware_problems(config):
        print(f"note: {problem}", file=sys.stderr)
    return 0


def _setup(args: argparse.Namespace) -> int:
    from provisioning.configure import ConfigureFailed
    from provisioning.install import InstallFailed
    from provisioning.selftest import as_table
    from provisioning.setup import Plan, setup

    root: Path = args.root
    config_root = args.config_dir or (
        config_dir() if root.resolve() == Path("/") else root / "etc" / "anjungan"
    )
    answers, ask = _answers(args)
    plan = Plan(root, config_root, args.central, args.service)
    try:
        checks = setup(
            plan,
            answers,
            token=lambda: _read_token(args),
            ask=ask,
            progress=lambda line: print(line, flush=True),
            skip=_skipped(args),
            card_wait_s=args.card_wait,
        )
    except (InstallFailed, ConfigureFailed, EnrollmentFailed, IdentityError, ConfigError) as err:
        print(f"setup stopped: {err}", file=sys.stderr)
        print("fix that and run the same command again: finished steps are kept", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"setup stopped: {_os_error(err)}", file=sys.stderr)
        return 1
    print(as_table(checks))
    if any(not check.passed for check in checks):
        print("the kiosk is set up but not ready: fix the FAIL rows, then run "
              "`kiosk-provision selftest`", file=sys.stderr)  # fmt: skip
        return 1
    return 0


def _hands_on_options(command: argparse.ArgumentParser) -> None:
    """The self-test's hands-on rows, each left out by its flag."""
    command.add_argument(
        "--skip-card", action="store_true", help="do not wait for a card on the reader"
    )
    command.add_argument("--skip-receipt", action="store_true", help="print no test receipt")
    command.add_argument("--skip-frame", action="store_true", help="capture no camera frame")
    command.add_argument(
        "--card-wait",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds to wait for the card (default %(default)s)",
    )


def _device_options(command: argparse.ArgumentParser) -> None:
    """The answers `configure` and `setup` take as flags instead of asking."""
    command.add_argument(
        "--card-reader",
        metavar="CHOICE",
        help="pcsc[:READER NAME PATTERN], serial:PORT or keyboard-wedge (default: the first "
        "PC/SC reader found)",
    )
    command.add_argument(
        "--printer",
        metavar="CHOICE",
        help="usb:VID:PID, network:HOST[:PORT], serial:PORT or file:PATH (default: the first "
        "USB printer found)",
    )
    command.add_argument(
        "--camera", metavar="CHOICE", help="opencv[:DEVICE] or none (default: the first found)"
    )
    command.add_argument("--scanner", metavar="CHOICE", help="serial:PATH or none (default: none)")
    command.add_argument("--paper", choices=("58mm", "80mm"), help="receipt paper width")
    command.add_argument("--orientation", choices=("landscape", "portrait"), help="screen")
    command.add_argument(
        "--demo",
        action="store_true",
        help="simulated devices where none is given, and kiosk.mode = demo (never for a kiosk "
        "serving residents)",
    )
    command.add_argument(
        "--yes",
        action="store_true",
        help="ask nothing: take what was found and the flags (also without a terminal)",
    )


def _register_setup(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    configure_cmd = sub.add_parser(
        "configure",
        help="name this kiosk's devices in kiosk.d/10-provision.toml (from the probe and you)",
        description="Proposes a device for each role from what the probe finds, takes flags "
        "instead, and on a terminal asks for the rest (Enter takes the proposal). Writes only "
        "kiosk.d/10-provision.toml, whole (a second run leaves nothing of the first), after "
        "checking the resulting configuration; never edits kiosk.toml. Exit 1 when a choice "
        "cannot be read or a device has none.",
    )
    _device_options(configure_cmd)
    add_config_dir_option(configure_cmd)
    configure_cmd.set_defaults(handler=_configure)

    setup_cmd = sub.add_parser(
        "setup",
        help="the whole first setup: install, configure, enroll, selftest",
        description="Runs install, configure, enroll and selftest in that order, showing each "
        "step's outcome. Every step is idempotent: after a failure, fix what it says and run "
        "the same command again. The token (stdin, asked for on a terminal, or --token-file) "
        "is read only when the kiosk is not enrolled yet. Exit 0 when every self-test row "
        "passes, 1 otherwise.",
    )
    setup_cmd.add_argument(
        "--central", required=True, help="centre base URL with its scheme, e.g. https://…"
    )
    setup_cmd.add_argument(
        "--token-file", type=Path, metavar="FILE", help="read the one-time token from FILE"
    )
    setup_cmd.set_defaults(token=None)
    setup_cmd.add_argument(
        "--root",
        type=Path,
        default=Path("/"),
        help="a staging root (image, test): units, configuration (ROOT/etc/anjungan) and state "
        "all go under it (default /)",
    )
    setup_cmd.add_argument(
        "--service", choices=("run", "app"), default="run", help="as for install"
    )
    _device_options(setup_cmd)
    _hands_on_options(setup_cmd)
    add_config_dir_option(setup_cmd, extra_help="default under --root: ROOT/etc/anjungan")
    setup_cmd.set_defaults(handler=_setup)


def _register_appliance(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    install_cmd = sub.add_parser(
        "install",
        help="install the kiosk user, folders, systemd units, udev rules and cage session",
        description="Writes the kiosk user and groups (sysusers.d), its folders (tmpfiles.d), "
        "the systemd units, udev rules and the cage PAM session, and enables the health timer, "
        "first-boot enrolment and the kiosk service. Idempotent: a second run changes nothing. "
        "On the live system (needs root) it also applies them at once; under --root it writes "
        "only files, which the booted system applies itself. Exit 1 on a failed step.",
    )
    install_cmd.add_argument(
        "--root", type=Path, default=Path("/"), help="install into this staging root (default /)"
    )
    install_cmd.add_argument(
        "--dry-run", action="store_true", help="print what would change and change nothing"
    )
    install_cmd.add_argument(
        "--service",
        choices=("run", "app"),
        default="run",
        help="run: `kiosk run` without a display (default); app: the touchscreen under cage "
        "(the app is not built yet)",
    )
    install_cmd.set_defaults(handler=_install)

    update_cmd = sub.add_parser(
        "update",
        help="install a new version beside the running one; roll back if it is not healthy",
        description="Installs the version into its own virtualenv under "
        "/opt/anjungan/versions/, switches the 'current' link to it (the running version "
        "becomes 'previous'), restarts the kiosk unit and watches it. If the new version fails, "
        "or is not healthy for --settle seconds within --window minutes, 'current' goes back "
        "and the unit restarts on the old version. Exit 0: the new version runs; 1: nothing "
        "changed (the message says why); 3: rolled back, the old version serves; 4: no "
        "healthy version (see journalctl -u UNIT).",
    )
    update_cmd.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="WHEEL|INDEX",
        help="a wheel file of anjungan, or a package index URL to take the newest from",
    )
    update_cmd.add_argument(
        "--find-links", type=Path, help="offline: a folder of the wheels it needs"
    )
    update_cmd.add_argument("--window", type=float, default=5.0, help="minutes to prove health")
    update_cmd.add_argument(
        "--settle", type=float, default=120.0, help="seconds it must stay healthy (default 120)"
    )
    update_cmd.add_argument(
        "--status-file",
        type=Path,
        help="also require this file (the runtime's status file) to be rewritten after the "
        "restart and kept fresh",
    )
    update_cmd.add_argument(
        "--status-max-age",
        type=float,
        default=180.0,
        help="seconds after which the status file counts as stale (default 180)",
    )

    rollback_cmd = sub.add_parser(
        "rollback",
        help="go back to the previous version and restart",
        description="Swaps the 'current' and 'previous' links under /opt/anjungan and restarts "
        "the kiosk unit. Exit 1 when there is no earlier version.",
    )
    for command, handler in ((update_cmd, _update), (rollback_cmd, _rollback)):
        command.add_argument(
            "--root", type=Path, default=Path("/"), help="the system root (default /)"
        )
        command.add_argument(
            "--unit", default="anjungan-kiosk.service", help="the unit to restart and watch"
        )
        command.set_defaults(handler=handler)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded("kiosk-provision", args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
