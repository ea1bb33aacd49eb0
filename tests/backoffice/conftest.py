"""The back office's tests run on the centre's fixtures: a real ``kiosk-central serve`` on
loopback over SQLite and PostgreSQL (tests/central/conftest.py), a kiosk, a signed-in
resident, and an operator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from central.seeding.seed import DemoIdentity
from tests.central import conftest as centre
from tests.central.services_portal import Portal
from tests.console import conftest as console_fixtures
from tests.support.central_server import CentralServer, EnrolledKiosk

# The centre's fixtures, shared (a conftest's fixtures reach only its own folder).
postgres = centre.postgres
sqlite_template = centre.sqlite_template
postgres_template = centre.postgres_template
database = centre.database
demo_people = centre.demo_people
settings = centre.settings
central = centre.central
kiosk = centre.kiosk
# The console's: a centre on loopback with one operator per role, signed-in clients, Chromium.
console_backend = console_fixtures.console_backend
console = console_fixtures.console
signed_in = console_fixtures.signed_in
browser = console_fixtures.browser
page = console_fixtures.page

# 10:00 WIB on a working day.
START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def portal(central: CentralServer, kiosk: EnrolledKiosk, demo_people: list[DemoIdentity]) -> Portal:
    central.clock.set(START)
    kiosk_portal = Portal(central, kiosk)
    kiosk_portal.sign_in(demo_people[0])
    return kiosk_portal
