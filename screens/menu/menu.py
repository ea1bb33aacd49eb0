"""Menu: one tile per service the kiosk can serve now (the session filters by mode), then
"Permohonan saya" for the resident's own requests."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import ObjectProperty

from central.contract.models import Service
from screens.base import KioskScreen, load_rules
from screens.widgets import Tile


class ServiceTile(Tile):
    """A tile whose label follows the session's language (rule in menu.kv)."""

    service = ObjectProperty(None)


class MyRequestsTile(Tile):
    """ "Permohonan saya": the resident's own requests, after the services (rule in menu.kv)."""


class MenuScreen(KioskScreen):
    def show(self, services: list[Service]) -> None:
        """The tiles of ``services``; those already shown are kept when the offer is the same
        (the usual case: building ten tiles is a frame's worth of the UI thread's time)."""
        router = App.get_running_app().router
        tiles = self.ids.tiles
        self.ids.empty.opacity = 0 if services else 1
        shown = [t.service for t in tiles.children[::-1] if isinstance(t, ServiceTile)]
        if tiles.children and shown == services:
            return
        tiles.clear_widgets()
        for service in services:
            tile = ServiceTile(service=service)
            tile.bind(on_release=lambda t: router.choose(t.service.id))
            tiles.add_widget(tile)
        mine = MyRequestsTile()
        mine.bind(on_release=lambda _tile: router.open_my_requests())
        tiles.add_widget(mine)


load_rules(__name__)
