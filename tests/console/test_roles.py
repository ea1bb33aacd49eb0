"""Roles, route by route: every console route (found in the app, not listed by hand) sends
an anonymous visitor to sign in, and answers each role by the one AREAS table: open, or 403
with no data. Office boundaries for records are tested with each page's own tests."""

from __future__ import annotations

import pytest

from central.security.roles import AREAS, Role
from tests.console.conftest import ConsoleClient
from tests.console.routes import console_routes
from tests.support.central_server import CentralServer

ROLE_OF = {
    "admin": Role.DISTRICT_ADMIN,
    "technician": Role.TECHNICIAN,
    "village": Role.VILLAGE_OPERATOR,
}


def test_the_route_list_is_read_from_the_routers() -> None:
    paths = {route.template for route in console_routes()}
    assert {"/console/", "/console/audit", "/console/logout"} <= paths


def test_every_console_route_needs_sign_in(console: CentralServer) -> None:
    anonymous = ConsoleClient(console)
    for route in console_routes():
        reply = anonymous.http.request(
            route.method, console.url + route.path, allow_redirects=False, timeout=10
        )
        assert reply.status_code == 303, route
        assert reply.headers["location"].startswith("/console/login"), route


@pytest.mark.parametrize("who", sorted(ROLE_OF))
def test_every_console_route_answers_each_role_by_the_areas_table(
    signed_in: dict[str, ConsoleClient], console: CentralServer, who: str
) -> None:
    client = signed_in[who]
    for route in console_routes():
        if route.template == "/console/logout":
            continue  # it would end the session the loop goes on with; tested in test_sign_in
        fields = {"csrf": client.csrf}
        reply = client.http.request(
            route.method,
            console.url + route.path,
            data=fields if route.method == "POST" else None,
            allow_redirects=False,
            timeout=10,
        )
        if ROLE_OF[who] in AREAS[route.area]:
            assert reply.status_code != 403, route
        else:
            assert reply.status_code == 403, route
            assert "tidak terbuka untuk peran Anda" in reply.text


def test_only_district_admins_read_the_audit_log(signed_in: dict[str, ConsoleClient]) -> None:
    page = signed_in["admin"].get("/console/audit")
    assert page.status_code == 200
    # The four sign-ins of the fixture, by username, with no record named.
    assert page.text.count("<code>sign_in</code>") == 4
    for username in ("admin", "tech", "desa-a", "desa-b"):
        assert f"<td>{username}</td>" in page.text
    assert signed_in["technician"].get("/console/audit").status_code == 403
    assert signed_in["village"].get("/console/audit").status_code == 403


def test_the_menu_shows_each_role_only_what_it_may_open(
    signed_in: dict[str, ConsoleClient],
) -> None:
    assert 'href="/console/audit"' in signed_in["admin"].get("/console/").text
    assert 'href="/console/audit"' not in signed_in["technician"].get("/console/").text
    home = signed_in["village"].get("/console/").text
    assert 'href="/console/audit"' not in home and "35.10.01.2001" in home
