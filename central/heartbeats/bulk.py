"""Multi-row INSERTs handed to the database driver in one call: the heartbeat writer's rows.

Why not ``connection.execute(insert(...), rows)``: for every row SQLAlchemy builds the
parameters, runs the bind processors through its execution context and, for ``RETURNING``,
sorts the batches back into order. On the heartbeat path that was about a third of the
writer's time, all of it holding the GIL the event loop needs to answer requests. Here one
``INSERT ... VALUES (...), (...) [ON CONFLICT ...] [RETURNING ...]`` per chunk goes straight
to the DB-API cursor, each value converted by its column's own SQLAlchemy bind processor (so
what is stored is exactly what the ORM would store and read back). Table and column names come
from the models; the ``ON CONFLICT`` forms used are the same in SQLite and PostgreSQL.

On PostgreSQL the rows go as one array per column instead (``INSERT ... SELECT * FROM
unnest(%s::type[], ...)``): psycopg parses a statement's placeholders in Python for every
execution unless it has at most 50 parameters, so 64 heartbeats of 11 columns cost more in
that parsing than in the database; a fixed handful of arrays keeps the statement cached (and
server-side prepared) however many rows it carries.

The statement runs on the SQLAlchemy connection's own DB-API connection, so it is part of the
caller's transaction and is committed or rolled back with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

from central.models import Base

# SQLite before 3.32 allowed 999 parameters per statement; chunks stay under that anywhere.
MAX_PARAMETERS = 999
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}

Processor = Callable[[Any], Any] | None


def placeholders(dialect: Dialect, count: int) -> str:
    """``count`` positional parameter markers in the driver's own style, comma-separated."""
    placeholder = _PLACEHOLDER.get(dialect.paramstyle)
    if placeholder is None:
        raise NotImplementedError(f"driver paramstyle {dialect.paramstyle!r}")
    return ", ".join([placeholder] * count)


@dataclass(frozen=True)
class BulkInsert:
    """``INSERT INTO <model's table> (columns) VALUES ... <tail>``, where ``tail`` is the optional
    ``ON CONFLICT`` clause and ``returning`` the columns given back for the rows written."""

    model: type[Base]
    columns: tuple[str, ...]
    tail: str = ""
    returning: tuple[str, ...] = ()
    _processors: dict[str, list[Processor]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _unnest_statements: dict[str, str] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Writes ``rows`` (column name to Python value); returns the ``returning`` rows
        (tuples) of the rows actually written."""
        if not rows:
            return []
        if not connection.in_transaction():  # the driver would open one SQLAlchemy never ends
            raise RuntimeError("BulkInsert runs inside the caller's begun transaction")
        dialect = connection.dialect
        processors = self._processors_for(dialect)
        quote = dialect.identifier_preparer.quote
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        returned: list[Any] = []
        try:
            if dialect.name == "postgresql":
                cursor.execute(self._unnest_statement(dialect), self._arrays(rows, processors))
                if self.returning:
                    returned += cursor.fetchall()
                return returned
            values_row = "(" + placeholders(dialect, len(self.columns)) + ")"
            chunk = MAX_PARAMETERS // len(self.columns)
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                sql = self._sql(quote, values_row, len(part))
                cursor.execute(sql, self._flat(part, processors))
                if self.returning:
                    returned += cursor.fetchall()
        finally:
            cursor.close()
        return returned

    @property
    def table(self) -> Table:
        return Base.metadata.tables[self.model.__tablename__]

    def _sql(self, quote: Callable[[str], str], values_row: str, count: int) -> str:
        """Only names from the models and placeholders: every value is a bound parameter."""
        columns = ", ".join(map(quote, self.columns))
        sql = f"INSERT INTO {quote(self.table.name)} ({columns}) "
        sql += "VALUES " + ", ".join([values_row] * count)
        if self.tail:
            sql += f" {self.tail}"
        if self.returning:
            sql += " RETURNING " + ", ".join(map(quote, self.returning))
        return sql

    def _unnest_statement(self, dialect: Dialect) -> str:
        """Made once per dialect, not for every group commit (compiling the columns' types
        costs about 20 µs a table)."""
        statement = self._unnest_statements.get(dialect.name)
        if statement is None:
            statement = self._unnest_statements[dialect.name] = self._unnest_sql(dialect)
        return statement

    def _unnest_sql(self, dialect: Dialect) -> str:
        """PostgreSQL: one array parameter per column, cast to the column's type. ``%b``
        sends it in binary: the text format escapes each element with a regex call, which
        for 64 JSON payloads cost more than the whole insert."""
        quote = dialect.identifier_preparer.quote
        arrays = ", ".join(
            f"%b::{self.table.c[name].type.compile(dialect=dialect)}[]" for name in self.columns
        )
        columns = ", ".join(map(quote, self.columns))
        sql = f"INSERT INTO {quote(self.table.name)} ({columns}) "
        sql += f"SELECT * FROM unnest({arrays})"  # noqa: S608 - names from the models
        if self.tail:
            sql += f" {self.tail}"
        if self.returning:
            sql += " RETURNING " + ", ".join(map(quote, self.returning))
        return sql

    def _arrays(
        self, rows: Sequence[Mapping[str, Any]], processors: list[Processor]
    ) -> list[list[Any]]:
        arrays: list[list[Any]] = []
        for name, process in zip(self.columns, processors, strict=True):
            values = [row[name] for row in rows]
            arrays.append(values if process is None else [process(value) for value in values])
        return arrays

    def _flat(self, rows: Sequence[Mapping[str, Any]], processors: list[Processor]) -> list[Any]:
        flat: list[Any] = []
        pairs = list(zip(self.columns, processors, strict=True))
        for row in rows:
            for name, process in pairs:
                value = row[name]
                flat.append(value if process is None else process(value))
        return flat

    def _processors_for(self, dialect: Dialect) -> list[Processor]:
        processors = self._processors.get(dialect.name)
        if processors is None:
            processors = [
                self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in self.columns
            ]
            self._processors[dialect.name] = processors
        return processors
