"""The `kiosk-central` command: run, migrate and seed the central server; manage operators."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from central import __version__
from central.backup import register as register_backup
from central.clock import SystemClock
from central.settings import CentralSettings, load_central_settings
from common.layered_config import ConfigError


def _settings(args: argparse.Namespace) -> CentralSettings:
    settings = load_central_settings(args.config_dir)
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    return settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.db import make_engine
    from central.logsafe import server_log_config
    from central.migrate import is_current

    settings = _settings(args)
    engine = make_engine(settings.database_url)
    if not is_current(engine, settings.database_url):
        print(
            "the database schema is not current: run 'kiosk-central migrate' first", file=sys.stderr
        )
        return 1
    engine.dispose()
    if args.workers > 1:
        # Workers re-create the app from settings; pass the URL override on by environment.
        import os

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


def _seed(args: argparse.Namespace) -> int:
    from central.db import make_engine, make_sessionmaker
    from central.seed import SOURCE, seed_all

    settings = _settings(args)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as db:
        demo = seed_all(db, seed=args.seed, residents=args.residents, today=date.today())
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
    from central.db import make_engine, make_sessionmaker
    from central.enrollment import create_token
    from central.errors import ApiError

    settings = _settings(args)
    with make_sessionmaker(make_engine(settings.database_url))() as db:
        try:
            created = create_token(db, args.office, int(args.ttl_hours * 3600), SystemClock().now())
        except ApiError as err:
            print(f"error: {err.body.message.en}", file=sys.stderr)
            return 2
    print(created.token)
    print(
        f"one-time enrollment token for office {created.office_id}, "
        f"expires {created.expires_at:%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )
    return 0


def _operator_create(args: argparse.Namespace) -> int:
    from central.db import make_engine, make_sessionmaker
    from central.operators import OperatorExists, create_api_key, create_operator

    settings = _settings(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
    if len(password) < 10:
        print("error: an operator password needs at least 10 characters", file=sys.stderr)
        return 2
    now = SystemClock().now()
    with make_sessionmaker(make_engine(settings.database_url))() as db:
        try:
            create_operator(db, args.username, password, now)
        except OperatorExists:
            print(f"error: operator {args.username!r} exists already", file=sys.stderr)
            return 2
        print(f"operator {args.username!r} created", file=sys.stderr)
        if args.api_key:
            print(create_api_key(db, args.username, now))
            print("API key shown once: send it as the X-Api-Key header", file=sys.stderr)
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from central.openapi import openapi_document

    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central",
        description="Anjungan's reference central server: the API for kiosks and the fleet "
        "view for operators.",
    )
    parser.add_argument("--version", action="version", version=f"anjungan-central {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config-dir",
        type=Path,
        help="directory holding central.toml and central.d/ (default /etc/anjungan, or "
        "$ANJUNGAN_CONFIG_DIR)",
    )
    common.add_argument(
        "--database-url",
        help="SQLAlchemy URL overriding the configured one, e.g. sqlite:///central.sqlite3 or "
        "postgresql+psycopg://user@host/db",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the API server (uvicorn)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (default %(default)s)"
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(handler=_serve)

    migrate = sub.add_parser(
        "migrate", parents=[common], help="create or upgrade the database schema"
    )
    migrate.set_defaults(handler=_migrate)

    seed = sub.add_parser(
        "seed", parents=[common], help="load Banyuwangi offices, services and demo residents"
    )
    seed.add_argument("--seed", type=int, default=1, help="random seed: same seed, same data")
    seed.add_argument(
        "--residents", type=int, default=2000, help="how many residents (default %(default)s)"
    )
    seed.set_defaults(handler=_seed)

    token = sub.add_parser("token", help="enrollment tokens for new kiosks")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create", parents=[common], help="print a one-time token binding a kiosk to an office"
    )
    create.add_argument(
        "--office", required=True, help="office id (region code), e.g. 35.10.01.2001"
    )
    create.add_argument(
        "--ttl-hours", type=float, default=24.0, help="validity (default %(default)s h)"
    )
    create.set_defaults(handler=_token_create)

    operator = sub.add_parser("operator", help="operator accounts")
    operator_sub = operator.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    op_create = operator_sub.add_parser(
        "create", parents=[common], help="create an operator account"
    )
    op_create.add_argument("--username", required=True)
    op_create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    op_create.add_argument(
        "--api-key", action="store_true", help="also print a long-lived API key for scripts"
    )
    op_create.set_defaults(handler=_operator_create)

    openapi = sub.add_parser(
        "openapi", help="print the OpenAPI document (the committed openapi.json)"
    )
    openapi.set_defaults(handler=_openapi)
    register_backup(sub, common, _settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
