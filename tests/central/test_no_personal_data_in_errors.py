"""A database error's text (which ends up in logs) never carries the values of the row."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from central.db import make_engine

pytestmark = pytest.mark.in_process

NIK = "3510014705900012"


def test_database_errors_hide_the_values() -> None:
    engine = make_engine("sqlite:///:memory:")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE people (nik TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO people VALUES (:nik)"), {"nik": NIK})
        with pytest.raises(IntegrityError) as caught:
            connection.execute(text("INSERT INTO people VALUES (:nik)"), {"nik": NIK})
    assert "UNIQUE" in str(caught.value)
    assert NIK not in str(caught.value)
