"""The public page's tests run on the central API tests' real stacks: uvicorn on loopback and
both databases (each copied from a seeded template; tests/central/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from central.seeding.seed import DemoIdentity
from tests.central.conftest import (  # noqa: F401 - fixtures, shared by import
    central,
    database,
    demo_people,
    kiosk,
    postgres,
    postgres_template,
    settings,
    sqlite_template,
)
from tests.central.services_portal import Portal
from tests.support.central_server import CentralServer, EnrolledKiosk

MONDAY_10_WIB = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def portal(
    central: CentralServer,  # noqa: F811 - the fixtures imported above
    kiosk: EnrolledKiosk,  # noqa: F811
    demo_people: list[DemoIdentity],  # noqa: F811
) -> Portal:
    """A resident signed in at an enrolled kiosk of 35.10.01.2001, Monday 10:00 WIB."""
    central.clock.set(MONDAY_10_WIB)
    resident_portal = Portal(central, kiosk)
    resident_portal.sign_in(demo_people[0])
    return resident_portal
