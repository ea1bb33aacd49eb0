"""Alembic environment: the URL comes from the caller (``kiosk-central migrate``), not an ini."""

from __future__ import annotations

from alembic import context

from central.db import make_engine
from central.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "central.migrate passes the database URL"

connectable = config.attributes.get("connection")
if connectable is None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
else:
    context.configure(connection=connectable, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
