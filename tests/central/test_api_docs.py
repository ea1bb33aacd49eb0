"""``/docs`` works on a network without the internet: the page and everything it loads come
from the centre itself."""

from __future__ import annotations

import re

import requests

from tests.support.central_server import CentralServer


def test_docs_load_nothing_from_outside(central: CentralServer) -> None:
    page = requests.get(f"{central.url}/docs", timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page.text)  # nothing off-site
    assets = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", page.text)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        reply = requests.get(central.url + asset, timeout=10)
        assert reply.status_code == 200, asset
        assert len(reply.content) > 1000, asset
    assert "'/openapi.json'" in page.text or '"/openapi.json"' in page.text
    assert requests.get(f"{central.url}/openapi.json", timeout=10).ok
