"""Public village information for a kiosk's office: the APBDes budget by year and sector,
development projects with their place on the map, and announcements.

Announcements published by a kecamatan or the kabupaten show at every office under it, so a
regency-wide notice is entered once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.contract import services as wire
from central.contract.models import LocalizedText
from central.models import Announcement, BudgetLine, Office, Project

MAX_ANNOUNCEMENTS = 20


def _office_and_ancestors(db: Session, office_id: str) -> list[str]:
    chain: list[str] = []
    current: str | None = office_id
    while current is not None and current not in chain:
        chain.append(current)
        office = db.get(Office, current)
        current = office.parent_id if office is not None else None
    return chain


def _budgets(db: Session, office_id: str) -> list[wire.VillageBudget]:
    rows = db.scalars(
        select(BudgetLine)
        .where(BudgetLine.office_id == office_id)
        .order_by(BudgetLine.year.desc(), BudgetLine.position)
    ).all()
    budgets: dict[int, wire.VillageBudget] = {}
    for row in rows:
        budget = budgets.setdefault(
            row.year, wire.VillageBudget(office_id=office_id, year=row.year, lines=[])
        )
        budget.lines.append(
            wire.BudgetLine(
                sector=LocalizedText(id=row.sector_id, en=row.sector_en),
                planned=row.planned,
                realised=row.realised,
            )
        )
    return list(budgets.values())


def for_office(db: Session, office_id: str, now: datetime) -> wire.VillageInformation:
    projects = db.scalars(
        select(Project).where(Project.office_id == office_id).order_by(Project.id)
    ).all()
    announcements = db.scalars(
        select(Announcement)
        .where(
            Announcement.office_id.in_(_office_and_ancestors(db, office_id)),
            Announcement.published_at <= now,
        )
        .order_by(Announcement.published_at.desc(), Announcement.id)
        .limit(MAX_ANNOUNCEMENTS)
    ).all()
    return wire.VillageInformation(
        office_id=office_id,
        budgets=_budgets(db, office_id),
        projects=[
            wire.Project(
                id=p.id,
                name=p.name,
                budget=p.budget,
                progress_pct=p.progress_pct,
                latitude=p.latitude,
                longitude=p.longitude,
                photo_ids=list(p.photo_ids),
            )
            for p in projects
        ],
        announcements=[
            wire.Announcement(
                id=a.id,
                title=LocalizedText(id=a.title_id, en=a.title_en),
                body=LocalizedText(id=a.body_id, en=a.body_en),
                published_at=a.published_at,
            )
            for a in announcements
        ],
    )
