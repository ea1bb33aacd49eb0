"""Database errors in the server's log without the values they quote.

A database's error message may quote the row it refused: PostgreSQL's ``DETAIL: Key
(nik)=(3510…) already exists.``, a trigger's own text. SQLAlchemy's ``hide_parameters`` hides
only the statement's parameters, not the database's message, and a server error is logged
with its traceback (by our 500 handler; ``CentralAPI`` keeps Starlette's re-raise from
uvicorn, which would log it a second time).
So every handler of the server's log gets this filter: in a logged traceback, each database
error's message is replaced by its class, SQLSTATE and constraint name, which is what a
technician needs to find the fault, and the frames stay as they were.
"""

from __future__ import annotations

import copy
import logging
import sqlite3
import traceback
from typing import Any

import psycopg
from sqlalchemy.exc import StatementError
from uvicorn.config import LOGGING_CONFIG

_DRIVER_ERRORS = (sqlite3.Error, psycopg.Error)
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def is_database_error(error: BaseException) -> bool:
    return isinstance(error, (StatementError, *_DRIVER_ERRORS))


def withheld(error: BaseException) -> str:
    """One line that names the fault without quoting any value."""
    driver = error.orig if isinstance(error, StatementError) else error
    facts = [type(driver).__name__]
    sqlstate = getattr(driver, "sqlstate", None) or getattr(driver, "sqlite_errorname", None)
    if sqlstate:
        facts.append(f"code {sqlstate}")
    diag = getattr(driver, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint:
        facts.append(f"constraint {constraint}")
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    return f"{name}: {', '.join(facts)} (message withheld: it may quote stored values)"


def _printed_order(error: BaseException) -> list[tuple[BaseException, str]]:
    """The chain as a traceback prints it, innermost first, each exception with the line
    printed before it (after the exception it was raised from or while handling)."""
    order: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        inner: BaseException | None = None
        separator = ""
        if current.__cause__ is not None:
            inner, separator = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            inner, separator = current.__context__, _CONTEXT
        order.append((current, separator))
        current = inner
    return order[::-1]


def format_redacted(error: BaseException) -> str:
    """The traceback ``logging`` would print, with each database error's message withheld."""
    parts: list[str] = []
    for link, separator in _printed_order(error):
        parts.append(separator)
        if link.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(link.__traceback__))
        if is_database_error(link):
            parts.append(withheld(link) + "\n")
        else:
            parts.extend(traceback.format_exception_only(type(link), link))
    return "".join(parts).rstrip("\n")


class RedactDatabaseErrors(logging.Filter):
    """On a handler: a record whose exception chain holds a database error is printed with
    that error's message withheld. Other records pass untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and any(is_database_error(e) for e, _ in _printed_order(error)):
            record.exc_text = format_redacted(error)  # what Formatter.format appends
            record.exc_info = None
        return True


def server_log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, with the filter on every handler (so also on records
    that reach them from our loggers through the root)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_database_errors"] = {
        "()": f"{__name__}.RedactDatabaseErrors"
    }
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_database_errors")
    config["root"] = {"handlers": ["default"], "level": "WARNING"}  # our loggers, filtered too
    return config
