"""The tracking page's URL as kiosks print it in receipt QR codes."""

from __future__ import annotations

from central.contract.services import PUBLIC_TRACKING_PATH
from central.settings import CentralSettings


def tracking_url_template(settings: CentralSettings, request_base_url: str) -> str:
    """``<public base>/lacak/{code}``: the configured public URL, else the one the asking kiosk
    reached the centre at (the address it enrolled with), so a kiosk always gets a URL."""
    base = settings.public_base_url or request_base_url
    return base.rstrip("/") + PUBLIC_TRACKING_PATH
