"""Every console route with the area it belongs to, read from the console's routers, so a
route added later is covered by the role tests without anyone listing it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from central.console.routes import CONSOLE_ROUTERS
from central.console.session import AREA_ATTRIBUTE
from central.security.roles import Area

PUBLIC = {"/", "/console", "/console/login", "/console/language/{language}"}
"""Routes open without signing in (the sign-in page itself, the language switch)."""

SAMPLE_PARAMETER = "no-such-record"
"""What a path parameter is filled with when the role tests call a route: roles are checked
before the record is looked up, so any value serves."""


@dataclass(frozen=True)
class ConsoleRoute:
    method: str
    template: str
    area: Area

    @property
    def path(self) -> str:
        return re.sub(r"\{[^}]+\}", SAMPLE_PARAMETER, self.template)


def _areas(dependant: Dependant) -> Iterator[Area]:
    for sub in dependant.dependencies:
        area = getattr(sub.call, AREA_ATTRIBUTE, None)
        if area is not None:
            yield area
        yield from _areas(sub)


def console_routes() -> list[ConsoleRoute]:
    """Every console route that needs a signed-in operator; fails on one that has neither an
    area nor a place in ``PUBLIC`` (it would be open to anyone)."""
    found = []
    for route in (route for router in CONSOLE_ROUTERS for route in router.routes):
        assert isinstance(route, APIRoute)
        areas = set(_areas(route.dependant))
        if route.path in PUBLIC:
            assert not areas, f"{route.path} is listed as public but names an area"
            continue
        assert len(areas) == 1, f"{route.path} must take its operator from console_operator(area)"
        found += [ConsoleRoute(method, route.path, areas.pop()) for method in route.methods or ()]
    return found
