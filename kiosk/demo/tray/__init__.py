"""Two photos of papers on a kiosk's scanner tray (a family card and an RT's cover letter),
rendered once by the capture evaluation generator (``tests/support/evalset.py``:
``generate("realistic", Scene.CLEAN, 2, seed=7)``) and committed, so the demo's simulated
camera shows real pixels without shipping the generator."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PHOTOS = ("kk.jpg", "pengantar_rt.jpg")


def tray_photo(name: str) -> Path:
    """The photo's path on disk (the package is installed as files, never zipped)."""
    return Path(str(resources.files(__name__).joinpath(name)))
