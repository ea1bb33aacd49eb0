"""What `kiosk-central` tells a person whose database URL or database is not right.

SQLAlchemy answers a wrong URL, an unreachable server or an unmigrated schema with exceptions
whose text is a traceback's worth of driver detail (and the SQL it was running). The commands
turn them into one line that says what to do, and accept the URL spellings people copy from
elsewhere (``postgres://`` from Heroku-style settings, ``postgresql://`` from libpq) by
naming the driver the project installs.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

URL_EXAMPLES = (
    "sqlite:////var/lib/anjungan-central/central.sqlite3 or postgresql+psycopg://USER@HOST/DB"
)
_POSTGRES_DRIVER = "postgresql+psycopg"
_COMMON_POSTGRES_SCHEMES = ("postgres", "postgresql")
_MISSING_TABLE_MARKERS = ("no such table", "undefinedtable")


class DatabaseUrlError(ValueError):
    """The database URL cannot be used; the message says which spelling to use instead."""


def normalise_database_url(url: str) -> str:
    """``url`` with ``postgres://`` and ``postgresql://`` spelled with the psycopg driver.

    Raises ``DatabaseUrlError`` for text that is not a database URL SQLAlchemy can load here.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"{url!r} is not a database URL: use {URL_EXAMPLES}") from None
    if parsed.drivername in _COMMON_POSTGRES_SCHEMES:
        parsed = parsed.set(drivername=_POSTGRES_DRIVER)
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError):
        raise DatabaseUrlError(
            f"no database driver for '{parsed.drivername}://' is installed: use {URL_EXAMPLES}"
        ) from None
    return parsed.render_as_string(hide_password=False)


def describe_database_error(err: DBAPIError) -> str:
    """One line for a failed database operation: the schema is missing, or the server cannot
    be reached (with the driver's own first line, which names host and port, never a row)."""
    original = err.orig if err.orig is not None else err
    first_line = (str(original).strip().splitlines() or [type(original).__name__])[0]
    said = f"{type(original).__name__} {first_line}".lower()
    if any(marker in said for marker in _MISSING_TABLE_MARKERS):
        return "the database has no schema yet: run 'kiosk-central migrate' first"
    return (
        f"cannot use the database: {first_line}. Check --database-url (or "
        "database_url in central.toml) and that the database server is running."
    )
