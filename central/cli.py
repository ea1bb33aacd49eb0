"""The `kiosk-central` command: run, migrate and seed the central server; manage operators."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from central import __version__
from central.clock import SystemClock
from central.commands.backup import register as register_backup
from central.commands.cli_database import (
    DatabaseUrlError,
    describe_database_error,
    normalise_database_url,
)
from central.commands.notify import register as register_notify
from central.commands.retention import register as register_retention
from central.security.roles import Role
from central.settings import CentralSettings, load_central_settings
from common.layered_config import ConfigError

EXIT_OK = 0
EXIT_ENVIRONMENT = 1  # the database cannot be reached, or its schema is not current
EXIT_USAGE = 2  # bad arguments, configuration or database URL; refused input
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports it
DEBUG_ENV = "ANJUNGAN_DEBUG"
MAX_TOKEN_TTL_HOURS = 24 * 30
MIN_PASSWORD_LENGTH = 10

_EPILOG = f"""\
exit codes: {EXIT_OK} done; {EXIT_ENVIRONMENT} the database cannot be reached or its schema is not
current (run 'kiosk-central migrate'); {EXIT_USAGE} bad arguments, configuration or database URL,
or a refused request. Set {DEBUG_ENV}=1 to see the full error of an unexpected failure."""


class NotMigrated(Exception):
    """The database schema is missing or older than this release."""


def _settings(args: argparse.Namespace) -> CentralSettings:
    settings = load_central_settings(args.config_dir)
    url = normalise_database_url(args.database_url or settings.database_url)
    return settings.model_copy(update={"database_url": url})


def _require_current(settings: CentralSettings) -> None:
    """Refuse to work on a database that `migrate` has not brought to this release's schema."""
    from central.db import make_engine
    from central.migrate import is_current

    engine = make_engine(settings.database_url)
    try:
        if not is_current(engine, settings.database_url):
            raise NotMigrated
    finally:
        engine.dispose()


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.logsafe import server_log_config

    settings = _settings(args)
    _require_current(settings)
    if args.workers > 1:
        # Workers re-create the app from settings; pass the URL override on by environment.
        os.environ["ANJUNGAN_CENTRAL_DATABASE_URL"] = settings.database_url
        if args.config_dir:
            os.environ["ANJUNGAN_CONFIG_DIR"] = str(args.config_dir)
        uvicorn.run(
            "central.asgi:create_from_environment",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            log_config=server_log_config(),
            access_log=False,
        )
        return 0
    from central.app import create_app, freeze_startup_heap

    app = create_app(settings)
    freeze_startup_heap()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=server_log_config(),
        access_log=False,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from central.migrate import upgrade

    settings = _settings(args)
    upgrade(settings.database_url)
    print("database schema is current")
    return 0


def _progress(message: str) -> None:
    """Progress goes to stderr, so stdout stays the result (the demo reads identities there)."""
    print(f"{message}…", file=sys.stderr, flush=True)


def _seed(args: argparse.Namespace) -> int:
    from central.db import make_engine, make_sessionmaker
    from central.seeding.seed import SOURCE, seed_all

    settings = _settings(args)
    _require_current(settings)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as db:
        demo = seed_all(
            db, seed=args.seed, residents=args.residents, today=date.today(), progress=_progress
        )
    print(f"seeded Kabupaten Banyuwangi offices ({SOURCE}) and the service catalog")
    if not demo:
        print("residents already present: left as they were")
        return 0
    print(f"seeded {args.residents} residents (seed {args.seed}). Demo identities:")
    for person in demo:
        note = " (must change PIN at first sign-in)" if person.must_change_pin else ""
        print(
            f"  {person.name:<22} NIK {person.nik}  card {person.card_uid}  PIN {person.pin}"
            f"  {person.village}{note}"
        )
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from central.commands.office_hints import suggest_offices
    from central.db import make_engine, make_sessionmaker
    from central.errors import ApiError
    from central.security.enrollment import create_token

    settings = _settings(args)
    _require_current(settings)
    with make_sessionmaker(make_engine(settings.database_url))() as db:
        try:
            created = create_token(db, args.office, int(args.ttl_hours * 3600), SystemClock().now())
        except ApiError as err:
            print(f"error: {err.body.message.en}", file=sys.stderr)
            hints = suggest_offices(db, args.office)
            if hints:
                print("did you mean:", file=sys.stderr)
                for office in hints:
                    print(f"  --office {office.id}  ({office.kind} {office.name})", file=sys.stderr)
            return EXIT_USAGE
    print(created.token)
    print(
        f"one-time enrollment token for office {created.office_id}, "
        f"expires {created.expires_at:%Y-%m-%d %H:%M} UTC; on the kiosk run\n"
        f"  kiosk-provision enroll --central URL --token={created.token}\n"
        "(with '=': a token may begin with '-')",
        file=sys.stderr,
    )
    return 0


def _token_rekey(args: argparse.Namespace) -> int:
    from central.db import make_engine, make_sessionmaker
    from central.errors import ApiError
    from central.security.enrollment import create_rekey_token

    settings = _settings(args)
    _require_current(settings)
    with make_sessionmaker(make_engine(settings.database_url))() as db:
        try:
            created = create_rekey_token(
                db, args.kiosk, int(args.ttl_hours * 3600), SystemClock().now()
            )
        except ApiError as err:
            print(f"error: {err.body.message.en}", file=sys.stderr)
            return EXIT_USAGE
    print(created.token)
    print(
        f"one-time re-key token for kiosk {created.kiosk_id} (it keeps its id and history), "
        f"expires {created.expires_at:%Y-%m-%d %H:%M} UTC; on the kiosk run\n"
        "  kiosk-provision enroll --rekey --central URL --token-file FILE",
        file=sys.stderr,
    )
    return 0


def _operator_create(args: argparse.Namespace) -> int:
    from central.db import make_engine, make_sessionmaker
    from central.security.operators import (
        BadOperatorOffice,
        OperatorExists,
        create_api_key,
        create_operator,
    )

    settings = _settings(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(
            f"error: an operator password needs at least {MIN_PASSWORD_LENGTH} characters",
            file=sys.stderr,
        )
        return EXIT_USAGE
    _require_current(settings)
    now = SystemClock().now()
    with make_sessionmaker(make_engine(settings.database_url))() as db:
        try:
            create_operator(db, args.username, password, now, Role(args.role), args.office)
        except OperatorExists:
            print(f"error: operator {args.username!r} exists already", file=sys.stderr)
            return EXIT_USAGE
        except BadOperatorOffice as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
        where = f" for office {args.office}" if args.office else ""
        print(f"operator {args.username!r} created ({args.role}{where})", file=sys.stderr)
        if args.api_key:
            print(create_api_key(db, args.username, now))
            print("API key shown once: send it as the X-Api-Key header", file=sys.stderr)
    return 0


def _heartbeats_maintain(args: argparse.Namespace) -> int:
    from central.db import make_engine
    from central.heartbeats.retention import maintain

    settings = _settings(args)
    _require_current(settings)
    engine = make_engine(settings.database_url)
    try:
        report = maintain(engine, SystemClock().now(), settings)
    finally:
        engine.dispose()
    until = f"{report.rolled_up_until:%Y-%m-%d %H:%M} UTC" if report.rolled_up_until else "-"
    print(
        f"rolled up {report.hours_rolled_up} hours ({report.rollup_rows} kiosk-hours), "
        f"history rolled up until {until}"
    )
    print(f"partitions created: {', '.join(report.created) or 'none'}")
    print(f"partitions dropped: {', '.join(report.dropped) or 'none'}")
    print(f"expired rows deleted: {report.raw_deleted} raw, {report.rollups_deleted} hourly")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from central.openapi import openapi_document

    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


def _ttl_hours(text: str) -> float:
    """A token's validity: more than nothing (a token born expired is useless), at most a month."""
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not 0 < hours <= MAX_TOKEN_TTL_HOURS:
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and at most {MAX_TOKEN_TTL_HOURS} hours, not {text}"
        )
    return hours


def _whole_number(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, not {text}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central",
        description="Anjungan's reference central server: the API for kiosks and the fleet "
        "view for operators.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"anjungan-central {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config-dir",
        type=Path,
        metavar="DIR",
        help="directory holding central.toml and central.d/ (default $ANJUNGAN_CONFIG_DIR, "
        "else /etc/anjungan)",
    )
    common.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL overriding the configured one, e.g. "
        "sqlite:////var/lib/anjungan-central/central.sqlite3 (four slashes: an absolute path) "
        "or postgresql+psycopg://user@host/db (postgres:// and postgresql:// are accepted)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="run the API server (uvicorn)",
        description="Serve the kiosk API, the operator API and the operators' console "
        "(open http://HOST:PORT/ in a browser: the fleet view and the back office) with uvicorn. "
        "Refuses to start (exit 1) until 'kiosk-central migrate' has made the schema current.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    serve.add_argument(
        "--workers", type=_whole_number(1), default=1, help="worker processes (default %(default)s)"
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="least important log level shown (default %(default)s)",
    )
    serve.set_defaults(handler=_serve)

    migrate = sub.add_parser(
        "migrate",
        parents=[common],
        help="create or upgrade the database schema",
        description="Create the database's tables, or upgrade them to this release's schema "
        "(Alembic). Safe to run again: a current schema is left as it is.",
    )
    migrate.set_defaults(handler=_migrate)

    seed = sub.add_parser(
        "seed",
        parents=[common],
        help="load Banyuwangi offices, services and demo residents",
        description="Load Kabupaten Banyuwangi's real offices (Kemendagri codes), the service "
        "catalog, information pages and invented demo residents, and print a few demo "
        "identities to sign in with. Residents are added only to a database that has none.",
    )
    seed.add_argument("--seed", type=int, default=1, help="random seed: same seed, same data")
    seed.add_argument(
        "--residents",
        type=_whole_number(0),
        default=2000,
        help="how many residents (default %(default)s; 0: offices and services only)",
    )
    seed.set_defaults(handler=_seed)

    token = sub.add_parser(
        "token",
        help="enrollment tokens for new kiosks, re-key tokens for enrolled ones",
        description="One-time tokens a technician gives 'kiosk-provision enroll'.",
    )
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create",
        parents=[common],
        help="print a one-time token binding a kiosk to an office",
        description="Print a one-time enrollment token for a kiosk that will serve OFFICE. "
        "An office that does not exist is refused with the closest offices by name or code.",
    )
    create.add_argument(
        "--office",
        required=True,
        metavar="OFFICE",
        help="office id (dotted region code), e.g. 35.10.01.2001",
    )
    create.add_argument(
        "--ttl-hours",
        type=_ttl_hours,
        default=24.0,
        metavar="HOURS",
        help=f"validity, more than 0 and at most {MAX_TOKEN_TTL_HOURS} (default %(default)s)",
    )
    create.set_defaults(handler=_token_create)
    rekey = token_sub.add_parser(
        "rekey",
        parents=[common],
        help="print a one-time token with which an enrolled kiosk replaces its key",
        description="Print a one-time re-key token bound to kiosk KIOSK: `kiosk-provision "
        "enroll --rekey` with it gives the kiosk a new key and keeps its id, office and "
        "history (after a disk swap, or a revoked kiosk back in hand: the re-key lifts the "
        "revocation, the old key stays refused).",
    )
    rekey.add_argument("--kiosk", required=True, metavar="KIOSK", help="kiosk id, e.g. KSK-…")
    rekey.add_argument(
        "--ttl-hours",
        type=_ttl_hours,
        default=24.0,
        metavar="HOURS",
        help=f"validity, more than 0 and at most {MAX_TOKEN_TTL_HOURS} (default %(default)s)",
    )
    rekey.set_defaults(handler=_token_rekey)

    operator = sub.add_parser(
        "operator",
        help="operator accounts",
        description="Accounts for the people who use the console (the fleet view and the "
        "village back office) and the operator API.",
    )
    operator_sub = operator.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    op_create = operator_sub.add_parser(
        "create",
        parents=[common],
        help="create an operator account",
        description="Create an operator account; the password (at least "
        f"{MIN_PASSWORD_LENGTH} characters) is asked for, or read from standard input.",
    )
    op_create.add_argument("--username", required=True, help="the operator's login name")
    op_create.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.DISTRICT_ADMIN.value,
        help="district_admin: everything; village_operator: one office's back office and "
        "kiosks (needs --office); technician: the fleet only (default %(default)s)",
    )
    op_create.add_argument(
        "--office",
        metavar="OFFICE",
        help="the village operator's office id (dotted region code), e.g. 35.10.01.2001",
    )
    op_create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    op_create.add_argument(
        "--api-key", action="store_true", help="also print a long-lived API key for scripts"
    )
    op_create.set_defaults(handler=_operator_create)

    heartbeats = sub.add_parser(
        "heartbeats",
        help="heartbeat history",
        description="The fleet's heartbeat history: raw pings for history_raw_days, hourly "
        "roll-ups for history_days (docs/central.md, 'History and scale').",
    )
    heartbeats_sub = heartbeats.add_subparsers(
        dest="heartbeats_command", metavar="ACTION", required=True
    )
    maintain = heartbeats_sub.add_parser(
        "maintain",
        parents=[common],
        help="roll up finished hours, drop expired history, make partitions ahead",
        description="Roll up every finished hour of raw pings into hourly rows, drop raw "
        "pings older than history_raw_days and roll-ups older than history_days (whole UTC "
        "days), and on PostgreSQL make the day partitions of the coming days. Safe to run "
        "at any time and again; systemd/anjungan-central-maintain.timer runs it hourly.",
    )
    maintain.set_defaults(handler=_heartbeats_maintain)

    openapi = sub.add_parser(
        "openapi",
        help="print the OpenAPI document (the committed openapi.json)",
        description="Print the API's OpenAPI document as JSON ('make openapi' commits it).",
    )
    openapi.set_defaults(handler=_openapi)
    register_backup(sub, common, _settings)
    register_notify(sub, common, _settings, _require_current)
    register_retention(sub, common, _settings, _require_current)
    return parser


def _failure(err: Exception) -> tuple[int, str] | None:
    """The exit code and one-line message for a failure a person can fix; None for a bug."""
    if isinstance(err, ConfigError):
        return EXIT_USAGE, f"configuration error: {err}"
    if isinstance(err, DatabaseUrlError):
        return EXIT_USAGE, f"error: {err}"
    if isinstance(err, NotMigrated):
        return (
            EXIT_ENVIRONMENT,
            "the database schema is not current: run 'kiosk-central migrate' first",
        )
    if isinstance(err, DBAPIError):
        return EXIT_ENVIRONMENT, f"error: {describe_database_error(err)}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as err:
        known = _failure(err)
        if known is None and os.environ.get(DEBUG_ENV):
            raise
        code, message = known or (
            EXIT_ENVIRONMENT,
            f"unexpected error ({type(err).__name__}): {err}. This is a bug: please report it "
            f"with the command you ran ({DEBUG_ENV}=1 shows the details).",
        )
        print(message, file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
