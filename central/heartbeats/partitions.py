"""Daily range partitions of the heartbeat history tables on PostgreSQL.

Why partitions: 83,000 kiosks write 120 million raw pings a day. Expiring a day of them with
DELETE would write every row's removal, bloat the table and keep autovacuum busy for hours;
dropping the day's partition is a catalogue change. Reads of a time range (the roll-up of
one hour, the timeline of one kiosk) only open the days they touch.

Each table has a DEFAULT partition (made by migration 0006), so a ping never fails because
the maintenance timer stopped and today's partition is missing; when the partition of a day
is made later, that day's rows move out of the default into it. SQLite keeps one table per
kind and ``retention`` deletes by age instead.

DDL takes locks on the parent table that ingest needs: every statement here runs with a
``lock_timeout``, so maintenance gives up (and the next run tries again) rather than queue
behind a long read while every heartbeat queues behind it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, text

# The partitioned tables and their partition key; both are partitioned by UTC day.
PARTITIONED = {"heartbeats": "received_at", "heartbeat_hourly": "hour_start"}
DEFAULT_SUFFIX = "_default"
LOCK_TIMEOUT = "5s"
_DAY_NAME = re.compile(r"^(?P<table>heartbeats|heartbeat_hourly)_p(?P<day>\d{8})$")


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day:%Y%m%d}"


def is_partition(name: str) -> bool:
    """A table made by this module or migration 0006 (a day's partition or the default
    one): not part of the models, so the schema comparison leaves it out."""
    if _DAY_NAME.match(name):
        return True
    return any(name == table + DEFAULT_SUFFIX for table in PARTITIONED)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _literal(moment: datetime) -> str:
    """A partition bound: DDL takes no bound parameters. Made from a date, never input."""
    return f"'{moment.isoformat()}'"


def dated_partitions(connection: Connection, table: str) -> dict[date, str]:
    """The day partitions ``table`` has now, by day (the default partition not included)."""
    names = connection.scalars(
        text(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "WHERE parent.relname = :table"
        ),
        {"table": table},
    )
    days = {}
    for name in names:
        found = _DAY_NAME.match(name)
        if found and found["table"] == table:
            days[datetime.strptime(found["day"], "%Y%m%d").date()] = name
    return days


def create_day(connection: Connection, table: str, day: date) -> str:
    """Makes ``day``'s partition of ``table`` in the caller's transaction; returns its name.

    Rows of that day already in the default partition (pinged while the partition was
    missing) are moved into the new table before it is attached, which PostgreSQL requires
    (it refuses to attach a range the default partition holds rows of)."""
    column = PARTITIONED[table]
    name = partition_name(table, day)
    lower, upper = day_start(day), day_start(day + timedelta(days=1))
    bounds = f"FROM ({_literal(lower)}) TO ({_literal(upper)})"
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    default = table + DEFAULT_SUFFIX
    in_range = f"{column} >= :lower AND {column} < :upper"
    stranded = connection.scalar(
        text(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {in_range})"),  # noqa: S608 - known names
        {"lower": lower, "upper": upper},
    )
    if not stranded:
        connection.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES {bounds}")
        return name
    connection.exec_driver_sql(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)")
    connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {default} WHERE {column} >= :lower AND {column} < :upper "  # noqa: S608
            f"RETURNING *) INSERT INTO {name} SELECT * FROM moved"
        ),
        {"lower": lower, "upper": upper},
    )
    connection.exec_driver_sql(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES {bounds}")
    return name


def drop_partition(connection: Connection, name: str) -> None:
    """Drops one day's partition (its rows with it) in the caller's transaction."""
    if not _DAY_NAME.match(name):
        raise ValueError(f"not a day partition: {name!r}")
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    connection.exec_driver_sql(f"DROP TABLE {name}")
