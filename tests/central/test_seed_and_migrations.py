"""Seed data is real Banyuwangi, valid and deterministic; migrations equal the models."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from central.db import make_engine, make_sessionmaker
from central.heartbeats.partitions import is_partition
from central.models import Base, Office, OfficeService, Resident, ResidentCard
from central.security.security import verify_secret
from central.seeding.seed import DISTINCT_DEMO_PINS
from common.nik import check_nik
from tests.central.conftest import Database
from tests.support.central_server import prepare_database


def _residents(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        rows = db.execute(
            select(Resident.nik, Resident.name, Resident.family_card_no).order_by(Resident.nik)
        )
        result = [tuple(r) for r in rows]
    engine.dispose()
    return result  # type: ignore[return-value]


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("a", "b", "c")]
    demo_a = prepare_database(urls[0], residents=30, seed=11)
    demo_b = prepare_database(urls[1], residents=30, seed=11)
    prepare_database(urls[2], residents=30, seed=12)
    assert demo_a == demo_b
    assert _residents(urls[0]) == _residents(urls[1])
    assert _residents(urls[0]) != _residents(urls[2])


def test_seed_is_banyuwangi_with_valid_residents(database: Database) -> None:
    engine = make_engine(database.url)
    with make_sessionmaker(engine)() as db:
        kinds = Counter(db.scalars(select(Office.kind)))
        assert kinds == {"kabupaten": 1, "kecamatan": 25, "desa": 189, "kelurahan": 28}
        assert db.get(Office, "35.10.01.2001") is not None
        residents = db.scalars(select(Resident)).all()
        assert len(residents) == 20
        for resident in residents:
            facts = check_nik(resident.nik)
            assert facts.regency_code == "35.10"
            assert facts.birth_date == resident.birth_date
            assert facts.sex == resident.sex
            assert resident.pin_hash.startswith("$argon2id$")
        assert len({r.family_card_no for r in residents}) < len(residents)  # families share a KK
        assert (db.scalar(select(func.count()).select_from(ResidentCard)) or 0) > 0
        assert (
            db.scalar(select(func.count()).select_from(OfficeService)) == 217 * 10
        )  # every desa and kelurahan
    engine.dispose()


def test_seeding_twice_changes_nothing(database: Database) -> None:
    before = _residents(database.url)
    assert prepare_database(database.url, residents=5) == []
    assert _residents(database.url) == before


def _not_a_partition(name: str | None, kind: str, _parents: object) -> bool:
    """PostgreSQL's history partitions (and their indexes) are made by the migration and
    ``heartbeats maintain``, not the models."""
    return not (kind == "table" and name is not None and is_partition(name))


def test_migrations_create_exactly_the_models(database: Database) -> None:
    engine = make_engine(database.url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _not_a_partition})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_each_distinct_demo_pin_is_hashed_once(tmp_path: Path) -> None:
    """2,000 residents hashed one by one took a minute of Argon2: demo PINs come from a small
    pool, each hashed once, and every resident's own PIN still verifies (issue 12, item 19)."""
    url = f"sqlite:///{tmp_path / 'pins.sqlite3'}"
    demo = prepare_database(url, residents=300, seed=3)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        hashes = list(db.scalars(select(Resident.pin_hash)))
        assert len(hashes) == 300
        assert len(set(hashes)) <= DISTINCT_DEMO_PINS
        for person in demo:
            stored = db.scalar(select(Resident.pin_hash).where(Resident.nik == person.nik))
            assert verify_secret(stored, person.pin)
            assert not verify_secret(stored, f"{(int(person.pin) + 1) % 10**6:06d}")
    engine.dispose()
