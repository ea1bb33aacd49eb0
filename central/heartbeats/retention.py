"""Heartbeat history's retention and roll-up: what ``kiosk-central heartbeats maintain`` does.

The policy (docs/central.md, "History and scale"), in whole UTC days so that both databases
keep exactly the same rows:

- raw pings of today and of the ``history_raw_days`` days before it;
- one roll-up row per kiosk and hour it pinged in, made once the hour is over (and
  ``ROLLUP_SETTLE_S`` has passed, for a group commit that straddled the hour), kept for
  today and the ``history_days`` days before it.

A run, in this order: make the day partitions ahead (PostgreSQL), roll up every finished
hour not rolled up yet (each hour its own transaction, so an interrupted run resumes where
it stopped), then drop what expired: a day's partition on PostgreSQL, a delete by age in
chunks on SQLite (each chunk a short transaction, taken in turn with the heartbeat writers).
The raw rows of an hour are rolled up long before they expire, as long as the timer runs at
least once in ``history_raw_days``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.heartbeats import partitions
from central.heartbeats.ingest import WriteTurn
from central.models import HeartbeatHourly, HeartbeatRecord, Setting, UTCDateTime
from central.settings import CentralSettings

log = logging.getLogger(__name__)

ROLLUP_SETTLE_S = 60  # an hour is rolled up once it ended this long ago
PARTITIONS_AHEAD_DAYS = 3  # day partitions made beyond today, so a stopped timer has slack
DELETE_CHUNK_ROWS = 10_000  # SQLite: rows removed per transaction
WATERMARK_SETTING = "heartbeat_rollup_until"  # the end of the last hour rolled up (ISO)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    raw_days: int
    history_days: int

    @classmethod
    def of(cls, settings: CentralSettings) -> Policy:
        return cls(settings.history_raw_days, settings.history_days)

    def raw_from(self, today: date) -> datetime:
        """The oldest raw ping kept: midnight UTC ``raw_days`` before today."""
        return partitions.day_start(today - timedelta(days=self.raw_days))

    def rollups_from(self, today: date) -> datetime:
        return partitions.day_start(today - timedelta(days=self.history_days))


@dataclass
class MaintainReport:
    """What one run changed, for the command's output and the tests."""

    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    hours_rolled_up: int = 0
    rollup_rows: int = 0
    raw_deleted: int = 0
    rollups_deleted: int = 0
    rolled_up_until: datetime | None = None


def maintain(engine: Engine, now: datetime, settings: CentralSettings) -> MaintainReport:
    """One maintenance run at ``now`` (see the module's docstring)."""
    policy = Policy.of(settings)
    today = now.astimezone(UTC).date()
    report = MaintainReport()
    if engine.dialect.name == "postgresql":
        report.created = _create_ahead(engine, today)
    _roll_up(engine, now, policy, report)
    if engine.dialect.name == "postgresql":
        _drop_expired_partitions(engine, today, policy, report)
    else:
        _delete_expired_rows(engine, today, policy, report)
    return report


# ---------------------------------------------------------------- partitions (PostgreSQL)


def _create_ahead(engine: Engine, today: date) -> list[str]:
    created = []
    for table in partitions.PARTITIONED:
        with engine.begin() as connection:
            existing = partitions.dated_partitions(connection, table)
        for offset in range(PARTITIONS_AHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            if day not in existing:
                with engine.begin() as connection:
                    created.append(partitions.create_day(connection, table, day))
    return created


def _drop_expired_partitions(
    engine: Engine, today: date, policy: Policy, report: MaintainReport
) -> None:
    keep_from = {
        "heartbeats": policy.raw_from(today),
        "heartbeat_hourly": policy.rollups_from(today),
    }
    for table, cutoff in keep_from.items():
        with engine.begin() as connection:
            existing = partitions.dated_partitions(connection, table)
        for day, name in sorted(existing.items()):
            if partitions.day_start(day) < cutoff:
                with engine.begin() as connection:
                    partitions.drop_partition(connection, name)
                report.dropped.append(name)
        # Rows that landed in the default partition expire like any other.
        column = partitions.PARTITIONED[table]
        default = table + partitions.DEFAULT_SUFFIX
        with engine.begin() as connection:
            deleted = connection.execute(
                text(f"DELETE FROM {default} WHERE {column} < :cutoff"),  # noqa: S608 - known names
                {"cutoff": cutoff},
            ).rowcount
        if table == "heartbeats":
            report.raw_deleted += deleted
        else:
            report.rollups_deleted += deleted


# ---------------------------------------------------------------- delete by age (SQLite)


def _delete_expired_rows(
    engine: Engine, today: date, policy: Policy, report: MaintainReport
) -> None:
    report.raw_deleted = _delete_older(engine, "heartbeats", "received_at", policy.raw_from(today))
    report.rollups_deleted = _delete_older(
        engine, "heartbeat_hourly", "hour_start", policy.rollups_from(today)
    )


def _delete_older(engine: Engine, table: str, column: str, cutoff: datetime) -> int:
    """Chunks of ``DELETE_CHUNK_ROWS``, each a short transaction taken in turn with the
    heartbeat writers, so ingest never waits long for SQLite's one write lock."""
    statement = text(
        f"DELETE FROM {table} WHERE rowid IN "  # noqa: S608 - names from the models
        f"(SELECT rowid FROM {table} WHERE {column} < :cutoff LIMIT {DELETE_CHUNK_ROWS})"
    ).bindparams(bindparam("cutoff", type_=UTCDateTime))
    total = 0
    turn = WriteTurn(engine)
    try:
        while True:
            with turn, engine.begin() as connection:
                deleted = connection.execute(statement, {"cutoff": cutoff}).rowcount
            total += deleted
            if deleted < DELETE_CHUNK_ROWS:
                return total
    finally:
        turn.close()


# ---------------------------------------------------------------- roll-up


def rolled_up_until(connection: Connection) -> datetime | None:
    """The end of the last hour rolled up (exclusive); None before the first roll-up."""
    stored = connection.scalar(select(Setting.value).where(Setting.name == WATERMARK_SETTING))
    return datetime.fromisoformat(stored) if stored is not None else None


def _roll_up(engine: Engine, now: datetime, policy: Policy, report: MaintainReport) -> None:
    """Every finished hour after the watermark (at most back to the oldest raw ping kept),
    one transaction per hour that also moves the watermark."""
    today = now.astimezone(UTC).date()
    end = _hour_floor(now - timedelta(seconds=ROLLUP_SETTLE_S))
    with engine.connect() as connection:
        start = rolled_up_until(connection)
    start = max(start, policy.raw_from(today)) if start else policy.raw_from(today)
    turn = WriteTurn(engine)
    try:
        hour = start
        while hour < end:
            with turn, engine.begin() as connection:
                kiosks = roll_up_hour(connection, hour)
                following = hour + HOUR
                if not kiosks:  # a quiet stretch (night, a centre back after downtime): skip it
                    following = _next_hour_with_pings(connection, following, end)
                _set_watermark(connection, following)
            report.rollup_rows += kiosks
            report.hours_rolled_up += round((following - hour) / HOUR)
            hour = following
    finally:
        turn.close()
    with engine.connect() as connection:
        report.rolled_up_until = rolled_up_until(connection)


def _next_hour_with_pings(connection: Connection, start: datetime, end: datetime) -> datetime:
    """The start of the first hour in [start, end) holding a raw ping, else ``end``."""
    raw = HeartbeatRecord
    first = connection.scalar(
        select(func.min(raw.received_at)).where(raw.received_at >= start, raw.received_at < end)
    )
    return _hour_floor(first) if first is not None else end


def _hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _set_watermark(connection: Connection, until: datetime) -> None:
    row = {"name": WATERMARK_SETTING, "value": until.isoformat()}
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(Setting).values(row)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[Setting.name], set_={"value": statement.excluded.value}
        )
    )


# The newest ping of the hour per kiosk is row 1 of its window; "last" values are taken from
# it, min and max over all rows: one pass over the hour's rows, on both databases.
_LAST = ("app_state", "app_reason", "paper")
_NUMERIC = ("faults", "outbox_backlog", "rtt_ms", "disk_free_mb")
_ROLLUP_COLUMNS = (
    "kiosk_id, hour_start, pings, available_pings, device_changes, first_at, last_at, "
    "last_app_state, last_app_reason, last_paper, "
    + ", ".join(f"{name}_min, {name}_max, {name}_last" for name in _NUMERIC)
)
_ROLLUP_VALUES = (
    "kiosk_id, :hour, count(*), "
    "sum(CASE WHEN app_state <> 'UNAVAILABLE' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN device_change THEN 1 ELSE 0 END), min(received_at), max(received_at), "
    + ", ".join(f"max(CASE WHEN newest = 1 THEN {name} END)" for name in _LAST)
    + ", "
    + ", ".join(
        f"min({name}), max({name}), max(CASE WHEN newest = 1 THEN {name} END)" for name in _NUMERIC
    )
)
_ROLLUP_UPDATE = ", ".join(
    f"{name} = excluded.{name}"
    for name in _ROLLUP_COLUMNS.replace(" ", "").split(",")
    if name not in ("kiosk_id", "hour_start")
)
_ROLL_UP_HOUR = text(
    f"INSERT INTO {HeartbeatHourly.__tablename__} ({_ROLLUP_COLUMNS}) "  # noqa: S608 - no input
    f"SELECT {_ROLLUP_VALUES} FROM ("
    f"SELECT {HeartbeatRecord.__tablename__}.*, row_number() OVER "
    "(PARTITION BY kiosk_id ORDER BY received_at DESC, sequence DESC) AS newest "
    f"FROM {HeartbeatRecord.__tablename__} "
    "WHERE received_at >= :hour AND received_at < :hour_end) AS hour_rows "
    "WHERE true "  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
    "GROUP BY kiosk_id "
    f"ON CONFLICT (kiosk_id, hour_start) DO UPDATE SET {_ROLLUP_UPDATE}"
).bindparams(bindparam("hour", type_=UTCDateTime), bindparam("hour_end", type_=UTCDateTime))


def roll_up_hour(connection: Connection, hour: datetime) -> int:
    """Rolls up the raw pings of the hour starting at ``hour`` (UTC); returns the number of
    kiosks that pinged in it. Running it again for the same hour rewrites the same rows."""
    result = connection.execute(_ROLL_UP_HOUR, {"hour": hour, "hour_end": hour + HOUR})
    return result.rowcount
