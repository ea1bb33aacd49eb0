"""An office edits its public information: APBDes lines, development projects and their
progress, announcements. The kiosks' information service (``central.services.information``)
reads the same tables, so what is saved here is what the next kiosk shows.

Every value is checked against the wire model's own limits before it is stored (money not
negative, progress 0-100, coordinates on the globe, texts bounded), with a bilingual 422
naming the field; a project or announcement of another office is not found.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Announcement, BudgetLine, Project

MAX_RUPIAH = 10**15  # far above any village budget; bounds the BigInteger column
MAX_LINES_PER_YEAR = 50
TEXT_LIMITS = {"sector": 128, "name": 200, "title": 200, "body": 4000}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _bad(field: str, message_id: str, message_en: str) -> ApiError:
    return ApiError(422, "information_invalid", message_id, message_en, {"field": field})


def _text(value: str, field: str, kind: str) -> str:
    cleaned = value.strip()
    limit = TEXT_LIMITS[kind]
    if not cleaned or len(cleaned) > limit or (not cleaned.isprintable() and kind != "body"):
        raise _bad(
            field,
            f"Isian '{field}' wajib diisi, paling banyak {limit} huruf.",
            f"'{field}' is required, at most {limit} characters.",
        )
    if "\x00" in cleaned:
        raise _bad(
            field,
            f"Isian '{field}' berisi karakter yang tidak sah.",
            f"'{field}' holds a character that is not allowed.",
        )
    return cleaned


def _number(value: str, field: str, low: float, high: float) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # NaN fails too
        raise _bad(
            field,
            f"Isian '{field}' harus angka antara {low:g} dan {high:g}.",
            f"'{field}' must be a number from {low:g} to {high:g}.",
        )
    return number


def _whole(value: str, field: str, low: int, high: int) -> int:
    number = _number(value, field, low, high)
    if number != int(number):
        raise _bad(
            field, f"Isian '{field}' harus bilangan bulat.", f"'{field}' must be a whole number."
        )
    return int(number)


def set_budget_line(
    db: Session,
    office_id: str,
    fields: dict[str, str],
) -> BudgetLine:
    """Adds or replaces line ``position`` of the office's APBDes for ``year``."""
    year = _whole(fields.get("year", ""), "year", FIRST_YEAR, LAST_YEAR)
    position = _whole(fields.get("position", ""), "position", 1, MAX_LINES_PER_YEAR)
    line = db.get(BudgetLine, (office_id, year, position)) or BudgetLine(
        office_id=office_id, year=year, position=position
    )
    line.sector_id = _text(fields.get("sector_id", ""), "sector_id", "sector")
    line.sector_en = _text(fields.get("sector_en", ""), "sector_en", "sector")
    line.planned = _whole(fields.get("planned", ""), "planned", 0, MAX_RUPIAH)
    line.realised = _whole(fields.get("realised", ""), "realised", 0, MAX_RUPIAH)
    db.add(line)
    db.commit()
    return line


def add_project(db: Session, office_id: str, fields: dict[str, str]) -> Project:
    project = Project(
        id="prj-" + secrets.token_hex(6),
        office_id=office_id,
        name=_text(fields.get("name", ""), "name", "name"),
        budget=_whole(fields.get("budget", ""), "budget", 0, MAX_RUPIAH),
        progress_pct=_whole(fields.get("progress_pct", "0") or "0", "progress_pct", 0, 100),
        latitude=_number(fields.get("latitude", ""), "latitude", -90, 90),
        longitude=_number(fields.get("longitude", ""), "longitude", -180, 180),
        photo_ids=[],
    )
    db.add(project)
    db.commit()
    return project


def project_of_office(db: Session, office_id: str, project_id: str) -> Project:
    """The office's project, or a 404 (another office's is not found either)."""
    project = db.get(Project, project_id[:32])
    if project is None or project.office_id != office_id:
        raise ApiError(404, "project_unknown", "Kegiatan tidak ditemukan.", "No such project.")
    return project


def set_progress(db: Session, office_id: str, project_id: str, progress: str) -> Project:
    project = project_of_office(db, office_id, project_id)
    project.progress_pct = _whole(progress, "progress_pct", 0, 100)
    db.commit()
    return project


def publish(db: Session, office_id: str, fields: dict[str, str], now: datetime) -> Announcement:
    """An announcement shown from now on at the office's kiosks (and, for a kecamatan or the
    kabupaten, at every office under it)."""
    announcement = Announcement(
        id="ann-" + secrets.token_hex(6),
        office_id=office_id,
        title_id=_text(fields.get("title_id", ""), "title_id", "title"),
        title_en=_text(fields.get("title_en", ""), "title_en", "title"),
        body_id=_text(fields.get("body_id", ""), "body_id", "body"),
        body_en=_text(fields.get("body_en", ""), "body_en", "body"),
        published_at=now,
    )
    db.add(announcement)
    db.commit()
    return announcement


def withdraw(db: Session, office_id: str, announcement_id: str) -> None:
    announcement = db.get(Announcement, announcement_id[:32])
    if announcement is None or announcement.office_id != office_id:
        raise ApiError(
            404, "announcement_unknown", "Pengumuman tidak ditemukan.", "No such announcement."
        )
    db.delete(announcement)
    db.commit()


def of_office(
    db: Session, office_id: str
) -> tuple[list[BudgetLine], list[Project], list[Announcement]]:
    """What the office has published, newest year and newest announcement first."""
    lines = db.scalars(
        select(BudgetLine)
        .where(BudgetLine.office_id == office_id)
        .order_by(BudgetLine.year.desc(), BudgetLine.position)
    ).all()
    projects = db.scalars(select(Project).where(Project.office_id == office_id)).all()
    notices = db.scalars(
        select(Announcement)
        .where(Announcement.office_id == office_id)
        .order_by(Announcement.published_at.desc())
    ).all()
    return list(lines), list(projects), list(notices)
