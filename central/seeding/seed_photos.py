"""Demo photos for the seeded village projects: small pictures drawn here (sky, ground, the
work in progress as a bar, "Foto contoh / Demo photo"), nothing photographed, nobody in
them. They go through the same preparation as an office's upload
(``central.backoffice.project_photos.prepare``), so the kiosks and the console show them as
they would show a real one. Drawn from the project's number, not at random: seeding twice
changes nothing."""

from __future__ import annotations

import functools
import io
from datetime import UTC, date, datetime, time

from PIL import Image, ImageDraw

from central.backoffice.project_photos import Prepared, prepare, stored
from central.models import ProjectPhoto

PHOTOS_PER_PROJECT = 2
SIZE = (640, 420)
_SKIES = ((135, 190, 235), (250, 200, 140))  # midday, late afternoon
_WORKS = ((120, 120, 120), (150, 100, 60), (80, 140, 90), (200, 200, 190))


def demo_photo_ids(project_id: str) -> list[str]:
    """The ids the seeded project lists in ``photo_ids`` (``pho-`` + the project's ids)."""
    base = project_id.removeprefix("prj-")
    return [f"pho-{base}-{n}" for n in range(1, PHOTOS_PER_PROJECT + 1)]


def _drawing(number: int, shot: int, progress_pct: int) -> bytes:
    """A PNG of a work site: sky, ground, and the work ``progress_pct`` done."""
    image = Image.new("RGB", SIZE, _SKIES[shot % len(_SKIES)])
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    horizon = height * 3 // 5
    draw.rectangle((0, horizon, width, height), fill=(95, 150, 70))
    work = _WORKS[number % len(_WORKS)]
    done = 40 + (width - 80) * progress_pct // 100
    draw.rectangle((40, horizon - 90, width - 40, horizon + 30), outline=(60, 60, 60), width=4)
    draw.rectangle((42, horizon - 88, max(42, done), horizon + 28), fill=work)
    draw.ellipse((width - 130, 30, width - 70, 90), fill=(255, 235, 120))
    draw.text((48, height - 60), "Foto contoh / Demo photo", fill=(255, 255, 255))
    draw.text((48, height - 40), f"{progress_pct}%", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@functools.lru_cache(maxsize=64)
def _prepared(number: int, shot: int, progress_pct: int) -> Prepared:
    """Drawn and prepared once per process: tests seed many databases alike."""
    return prepare(_drawing(number, shot, progress_pct))


def demo_photos(project_id: str, number: int, progress_pct: int, today: date) -> list[ProjectPhoto]:
    added = datetime.combine(today, time(2, 0), UTC)
    return [
        stored(photo_id, project_id, _prepared(number, shot, progress_pct), added)
        for shot, photo_id in enumerate(demo_photo_ids(project_id))
    ]
