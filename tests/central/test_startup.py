"""A server process freezes what it built at start (central/app.py ``freeze_startup_heap``),
so full garbage collections stop walking the schema and the key cache while heartbeats wait."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from central.asgi import create_from_environment
from tests.central.conftest import Database


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process must not keep its garbage forever


def test_a_worker_process_freezes_its_startup_heap(
    database: Database, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    monkeypatch.setenv("ANJUNGAN_CENTRAL_DATABASE_URL", database.url)
    assert gc.get_freeze_count() == 0
    app = create_from_environment()
    try:
        assert gc.get_freeze_count() > 10_000  # modules, models, the app: all of it
    finally:
        app.state.context.engine.dispose()
