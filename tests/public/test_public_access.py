"""What is public on the centre and what it costs an address to ask: village information
without a signature (as docs/central.md always promised), and the per-address rate limit
holding under parallel requests on a real server."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from central.contract.services import VillageInformation
from central.settings import CentralSettings
from tests.support.central_server import CentralServer, EnrolledKiosk

OFFICE = "35.10.01.2001"


def test_village_information_is_public_by_office(central: CentralServer) -> None:
    reply = requests.get(f"{central.url}/v1/information", params={"office_id": OFFICE}, timeout=10)
    assert reply.status_code == 200, reply.text
    info = VillageInformation.model_validate_json(reply.content)
    assert info.office_id == OFFICE and info.budgets and info.projects
    missing = requests.get(f"{central.url}/v1/information", timeout=10)
    assert missing.status_code == 422 and missing.json()["code"] == "office_required"
    unknown = requests.get(
        f"{central.url}/v1/information", params={"office_id": "99.99.99.9999"}, timeout=10
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "office_unknown"


def test_a_kiosk_still_gets_its_own_office_and_a_bad_signature_is_refused(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    signed = kiosk.session.get(f"{central.url}/v1/information", timeout=10)
    assert signed.status_code == 200, signed.text
    assert signed.json()["office_id"] == OFFICE
    forged = requests.get(
        f"{central.url}/v1/information",
        headers={
            "X-Kiosk-Id": kiosk.kiosk_id,
            "X-Kiosk-Timestamp": "1",
            "X-Kiosk-Nonce": "n" * 16,
            "X-Kiosk-Signature": "AAAA",
        },
        timeout=10,
    )
    assert forged.status_code == 401


BURST = 12


@pytest.fixture
def tight_settings(settings: CentralSettings) -> CentralSettings:
    # One token a minute after the burst: none comes back during the test.
    return settings.model_copy(update={"public_rate_per_minute": 1, "public_rate_burst": BURST})


@pytest.fixture
def tight_central(tight_settings: CentralSettings) -> Iterator[CentralServer]:
    server = CentralServer(tight_settings).start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "path",
    ["/lacak/ZZZ-222222", "/v1/public/track/ZZZ-222222", f"/v1/information?office_id={OFFICE}"],
)
def test_rate_limit_holds_under_parallel_requests(tight_central: CentralServer, path: str) -> None:
    start = threading.Barrier(8)

    def ask(_: int) -> list[int]:
        start.wait()
        with requests.Session() as browser:
            return [browser.get(tight_central.url + path, timeout=10).status_code for _ in range(6)]

    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(status for batch in pool.map(ask, range(8)) for status in batch)
    assert statuses[429] == 8 * 6 - BURST
    assert sum(statuses.values()) - statuses[429] == BURST
    limited = requests.get(tight_central.url + path, timeout=10)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    if path.startswith("/lacak"):
        assert "Terlalu banyak permintaan" in limited.text
    else:
        assert limited.json()["code"] == "rate_limited"
