"""Operator roles and the parts of the console each may open.

Three roles (issue 15): a district admin does everything; a technician looks after the fleet
(every office's kiosks, nothing residents wrote); a village operator works for one office
only: its back office and its own kiosks. Which *records* a village operator sees is the
console's ``OfficeScope``; which *pages* a role opens is ``AREAS`` here, one table.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    VILLAGE_OPERATOR = "village_operator"
    TECHNICIAN = "technician"


class Area(StrEnum):
    """A part of the console; every console route names the one it belongs to."""

    HOME = "home"  # the landing page and sign-out: everyone signed in
    FLEET = "fleet"  # kiosks and their alerts: scoped to the office for village operators
    FLEET_MANAGE = "fleet_manage"  # enrolment tokens, revoking kiosks: district-wide roles
    OFFICE = "office"  # the back office: letters, complaints, bansos, village information
    ADMIN = "admin"  # the audit log and other district-wide administration


AREAS: dict[Area, frozenset[Role]] = {
    Area.HOME: frozenset(Role),
    Area.FLEET: frozenset(Role),
    Area.FLEET_MANAGE: frozenset({Role.DISTRICT_ADMIN, Role.TECHNICIAN}),
    Area.OFFICE: frozenset({Role.DISTRICT_ADMIN, Role.VILLAGE_OPERATOR}),
    Area.ADMIN: frozenset({Role.DISTRICT_ADMIN}),
}


def may_open(role: Role, area: Area) -> bool:
    return role in AREAS[area]


def needs_office(role: Role) -> bool:
    """Only a village operator belongs to one office; the others work district-wide."""
    return role is Role.VILLAGE_OPERATOR
