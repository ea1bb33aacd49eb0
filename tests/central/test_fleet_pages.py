"""`/v1/fleet` a page at a time, counts over the caller's whole scope, and a village operator
sees only their office's kiosks (as on the console's fleet pages)."""

from __future__ import annotations

import requests

from central.contract.models import Fleet, Liveness
from central.security.operators import create_api_key, create_operator
from central.security.roles import Role
from tests.support.central_server import CentralServer

HOME, ELSEWHERE = "35.10.01.2001", "35.10.02.2001"


def _page(central: CentralServer, api_key: str, **query: str | int) -> Fleet:
    reply = requests.get(
        f"{central.url}/v1/fleet", params=query, headers={"X-Api-Key": api_key}, timeout=10
    )
    assert reply.status_code == 200, reply.text
    return Fleet.model_validate_json(reply.content)


def _village_operator_key(central: CentralServer, office_id: str) -> str:
    with central.context.sessions() as db:
        now = central.clock.now()
        create_operator(db, "ani", "correct horse battery", now, Role.VILLAGE_OPERATOR, office_id)
        return create_api_key(db, "ani", now)


def test_the_fleet_comes_a_page_at_a_time_with_counts_over_all(central: CentralServer) -> None:
    enrolled = sorted(central.enroll(HOME if n % 2 else ELSEWHERE).kiosk_id for n in range(5))
    api_key = central.operator_api_key("siti")
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = _page(central, api_key, limit=2, **({"after": after} if after else {}))
        pages += 1
        assert sum(page.counts.values()) == 5  # every page counts the whole fleet
        assert page.counts[Liveness.NEVER] == 5
        seen += [k.kiosk_id for k in page.kiosks]
        if page.next_after is None:
            break
        after = page.next_after
    assert (seen, pages) == (enrolled, 3)


def test_a_village_operator_sees_their_office_only(central: CentralServer) -> None:
    home = {central.enroll(HOME).kiosk_id for _ in range(2)}
    central.enroll(ELSEWHERE)
    page = _page(central, _village_operator_key(central, HOME))
    assert {k.kiosk_id for k in page.kiosks} == home
    assert sum(page.counts.values()) == len(home)
    assert page.next_after is None


def test_a_page_size_out_of_bounds_is_refused(central: CentralServer) -> None:
    api_key = central.operator_api_key("siti")
    for limit in (0, 2001):
        reply = requests.get(
            f"{central.url}/v1/fleet?limit={limit}", headers={"X-Api-Key": api_key}, timeout=10
        )
        assert reply.status_code == 422
