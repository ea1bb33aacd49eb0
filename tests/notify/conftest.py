"""Notification tests run on the central API tests' real stacks (uvicorn on loopback, SQLite
and PostgreSQL) with a real HTTP gateway stand-in (tests/notify/gateway.py)."""

from __future__ import annotations

from tests.public.conftest import (  # noqa: F401 - fixtures, shared by import
    central,
    database,
    demo_people,
    kiosk,
    portal,
    postgres,
    postgres_template,
    settings,
    sqlite_template,
)
