"""What every screen shares: its rules loaded from the ``.kv`` beside its module, and a hook
to forget anything personal it shows."""

from __future__ import annotations

import sys
from pathlib import Path

from kivy.lang import Builder
from kivy.uix.screenmanager import Screen


def load_rules(module_name: str) -> None:
    """Load the ``.kv`` file named like the screen's module, from its folder."""
    path = Path(sys.modules[module_name].__file__ or "").with_suffix(".kv")
    Builder.load_file(str(path))


class KioskScreen(Screen):
    """A screen of the journey; the app's router fills it and shows it."""

    def forget(self) -> None:
        """Drop anything of the resident this screen holds (the session ended)."""
