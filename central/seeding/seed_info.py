"""Seed data for bansos, village budgets, projects and announcements.

Bansos programs follow Kemensos's real ones, grouped the way Banyuwangi's "no double
recipients" rule groups them. The demo residents (the first residents holding an e-KTP card,
the ones `seed` prints) get enrollments that show the rule: the first holds PKH, so applying
for BLT Dana Desa (same 'tunai' cluster) is refused naming PKH, while BPNT ('pangan') is free
because their old BPNT enrollment ended. Budgets and projects are invented but shaped like
real APBDes reports (the five bidang of Permendagri 20/2018). Everything is computed, not
drawn at random, so seeding twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import (
    Announcement,
    BansosEnrollment,
    BansosProgram,
    BudgetLine,
    Project,
    Resident,
    ResidentCard,
)
from central.seeding.seed_photos import demo_photos

# id, name (id, en), cluster, open for applications at a kiosk
PROGRAMS: list[tuple[str, str, str, str, bool]] = [
    (
        "bpnt",
        "Bantuan Pangan Non Tunai (BPNT/Sembako)",
        "Non-cash food assistance (BPNT/Sembako)",
        "pangan",
        True,
    ),
    ("pkh", "Program Keluarga Harapan (PKH)", "Family Hope Programme (PKH)", "tunai", True),
    ("blt_dd", "BLT Dana Desa", "Village Fund cash transfer (BLT Dana Desa)", "tunai", True),
    # Registered by the health office, not at a kiosk.
    (
        "pbi_jk",
        "PBI Jaminan Kesehatan",
        "Health insurance contribution aid (PBI-JK)",
        "kesehatan",
        False,
    ),
]

# (program, status, since) per demo resident, in the order `seed` prints them.
DEMO_ENROLLMENTS: list[list[tuple[str, str, date]]] = [
    [("pkh", "active", date(2025, 1, 15)), ("bpnt", "ended", date(2023, 3, 1))],
    [("bpnt", "active", date(2024, 7, 1))],
]

INFO_VILLAGES = ["35.10.01.2001", "35.10.01.2002", "35.10.02.2001"]

# The five bidang of a village budget and each one's share of it.
SECTORS = [
    ("Penyelenggaraan Pemerintahan Desa", "Village government administration", 32),
    ("Pelaksanaan Pembangunan Desa", "Village development works", 40),
    ("Pembinaan Kemasyarakatan", "Community affairs", 8),
    ("Pemberdayaan Masyarakat", "Community empowerment", 12),
    ("Penanggulangan Bencana, Darurat dan Mendesak", "Disasters, emergencies and urgent needs", 8),
]

# name, budget, progress, latitude, longitude: around each village in southern Banyuwangi.
PROJECTS: dict[str, list[tuple[str, int, int, float, float]]] = {
    "35.10.01.2001": [
        ("Pengaspalan jalan Dusun Krajan 850 m", 412_000_000, 100, -8.6009, 114.0198),
        ("Saluran irigasi tersier Blok Sawah Timur", 186_500_000, 65, -8.5921, 114.0312),
        ("Rehabilitasi Posyandu Melati", 74_250_000, 30, -8.5978, 114.0247),
    ],
    "35.10.01.2002": [
        ("Jembatan beton Dusun Sumbermulyo", 295_000_000, 80, -8.5503, 114.0431),
        ("Sumur bor air bersih RW 03", 98_000_000, 100, -8.5468, 114.0517),
    ],
    "35.10.02.2001": [
        ("Rabat beton jalan lingkungan RT 02-05", 163_000_000, 45, -8.5127, 114.1744),
        ("Gedung PAUD Tunas Bangsa", 241_750_000, 20, -8.5089, 114.1802),
    ],
}

ANNOUNCEMENTS: list[dict[str, Any]] = [
    {
        "office": "35.10",
        "days_ago": 3,
        "title": ("Perekaman e-KTP keliling", "Mobile e-KTP registration"),
        "body": (
            "Dispendukcapil Banyuwangi membuka perekaman e-KTP keliling di kantor kecamatan "
            "setiap Sabtu bulan ini, pukul 08.00-12.00 WIB. Bawa Kartu Keluarga asli.",
            "The Banyuwangi civil registry records e-KTP at district offices every Saturday "
            "this month, 08:00-12:00 WIB. Bring your original family card.",
        ),
    },
    {
        "office": "35.10.01.2001",
        "days_ago": 1,
        "title": ("Musyawarah Desa RKPDes 2027", "Village meeting on the 2027 work plan"),
        "body": (
            "Musyawarah desa penetapan RKPDes 2027 diadakan di balai desa, Kamis pukul 19.00 "
            "WIB. Seluruh warga diundang hadir.",
            "The village meeting to adopt the 2027 work plan is at the village hall on "
            "Thursday at 19:00 WIB. Every resident is invited.",
        ),
    },
    {
        "office": "35.10.01.2001",
        "days_ago": 10,
        "title": ("Penyaluran BLT Dana Desa tahap IV", "BLT Dana Desa, fourth payment"),
        "body": (
            "Penyaluran BLT Dana Desa tahap IV di kantor desa mulai Senin. Penerima membawa "
            "e-KTP dan Kartu Keluarga.",
            "The fourth BLT Dana Desa payment starts Monday at the village office. Recipients "
            "bring their e-KTP and family card.",
        ),
    },
]


def _merge_missing(db: Session, rows: list[Any]) -> None:
    """Add rows whose primary key is not taken yet: a second seeding changes nothing."""
    for row in rows:
        key = type(row).__mapper__.primary_key_from_instance(row)
        if db.get(type(row), tuple(key)) is None:
            db.add(row)


def seed_bansos(db: Session) -> None:
    _merge_missing(
        db,
        [
            BansosProgram(
                id=id_,
                name_id=name_id,
                name_en=name_en,
                cluster=cluster,
                open_for_applications=open_,
            )
            for id_, name_id, name_en, cluster, open_ in PROGRAMS
        ],
    )
    db.flush()
    seeded = db.scalar(select(BansosEnrollment.id).where(BansosEnrollment.local_ref.is_(None)))
    if seeded is not None:
        return
    demo = db.scalars(
        select(Resident)
        .where(Resident.id.in_(select(ResidentCard.resident_id)))
        .order_by(Resident.id)
        .limit(len(DEMO_ENROLLMENTS))
    ).all()
    clusters = {program[0]: program[3] for program in PROGRAMS}
    for resident, enrollments in zip(demo, DEMO_ENROLLMENTS, strict=False):
        for program_id, status, since in enrollments:
            db.add(
                BansosEnrollment(
                    resident_id=resident.id,
                    program_id=program_id,
                    status=status,
                    holding_cluster=clusters[program_id] if status != "ended" else None,
                    since=since,
                )
            )


def _budget_lines(office_id: str, index: int, today: date) -> list[BudgetLine]:
    lines: list[BudgetLine] = []
    total = 1_150_000_000 + 137_500_000 * index
    for year in (today.year - 1, today.year):
        done_pct = 92 + index if year < today.year else 55 + 5 * index
        for position, (sector_id, sector_en, share) in enumerate(SECTORS):
            planned = total * share // 100
            realised = planned * max(0, min(100, done_pct - 3 * position)) // 100
            lines.append(
                BudgetLine(
                    office_id=office_id,
                    year=year,
                    position=position,
                    sector_id=sector_id,
                    sector_en=sector_en,
                    planned=planned,
                    realised=realised,
                )
            )
    return lines


def seed_information(db: Session, today: date) -> None:
    rows: list[Any] = []
    for index, office_id in enumerate(INFO_VILLAGES):
        rows.extend(_budget_lines(office_id, index, today))
        for number, (name, budget, progress, lat, lon) in enumerate(PROJECTS[office_id], 1):
            rows.append(
                Project(
                    id=f"prj-{office_id}-{number}",
                    office_id=office_id,
                    name=name,
                    budget=budget,
                    progress_pct=progress,
                    latitude=lat,
                    longitude=lon,
                    photo_ids=[],
                )
            )
    midday = datetime.combine(today, time(3, 0), UTC)  # 10:00 WIB
    for number, notice in enumerate(ANNOUNCEMENTS, 1):
        rows.append(
            Announcement(
                id=f"ann-{notice['office']}-{number}",
                office_id=notice["office"],
                title_id=notice["title"][0],
                title_en=notice["title"][1],
                body_id=notice["body"][0],
                body_en=notice["body"][1],
                published_at=midday - timedelta(days=notice["days_ago"]),
            )
        )
    _merge_missing(db, rows)
    db.flush()  # the projects before their photos (foreign key)
    for office_id in INFO_VILLAGES:
        for number, (_name, _budget, progress, _lat, _lon) in enumerate(PROJECTS[office_id], 1):
            project = db.get_one(Project, f"prj-{office_id}-{number}")
            if not project.photo_ids:  # never over an office's own photos
                photos = demo_photos(project.id, number, progress, today)
                _merge_missing(db, list(photos))
                project.photo_ids = [photo.id for photo in photos]


def seed_info(db: Session, today: date) -> None:
    seed_bansos(db)
    seed_information(db, today)
