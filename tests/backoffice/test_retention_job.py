"""The retention job as an operator runs it: `kiosk-central retention run|show`, and the
centre's daily timer and service units (checked with systemd-analyze like the kiosk's)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import make_engine, make_sessionmaker
from central.models import Document, Kiosk, Office, RetentionRun
from central.privacy import policy, retention
from tests.central.conftest import Database
from tests.systemd.staging import REPO, add_host_units

CENTRAL_UNITS = REPO / "systemd" / "central"
CENTRAL_BIN = "opt/anjungan-central/bin/kiosk-central"
ANALYZE = shutil.which("systemd-analyze")
KIOSK = "KSK-RETENTION"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "ANJUNGAN_CONFIG_DIR": "/nonexistent"},
    )


def _upload(db: Session, doc_id: str, at: datetime) -> None:
    db.add(
        Document(
            id=doc_id,
            kiosk_id=KIOSK,
            content_type="image/jpeg",
            size_bytes=3,
            sha256="0" * 64,
            content=b"abc",
            uploaded_at=at,
        )
    )


def test_run_removes_a_stale_upload_and_says_how_many(database: Database) -> None:
    engine = make_engine(database.url)
    now = datetime.now(UTC)
    with make_sessionmaker(engine)() as db:
        office = db.scalars(select(Office.id).where(Office.kind == "desa")).first()
        db.add(
            Kiosk(id=KIOSK, office_id=office, public_key=b"k" * 32, hardware={}, enrolled_at=now)
        )
        db.flush()  # before the uploads that refer to it (no relationship orders them)
        _upload(db, "stale", now - timedelta(days=policy.UNATTACHED_UPLOAD_DAYS, hours=1))
        _upload(db, "fresh", now - timedelta(days=policy.UNATTACHED_UPLOAD_DAYS, hours=-1))
        db.commit()

    result = _cli("retention", "run", "--database-url", database.url)
    assert result.returncode == 0, result.stderr
    assert "unattached_uploads 1," in result.stdout
    with make_sessionmaker(engine)() as db:
        assert list(db.scalars(select(Document.id).where(Document.kiosk_id == KIOSK))) == ["fresh"]
        assert db.scalar(select(RetentionRun.removed)) == {
            **dict.fromkeys(map(str, retention.ENFORCERS), 0),
            "unattached_uploads": 1,
        }
    engine.dispose()


def test_show_prints_every_rule() -> None:
    result = _cli("retention", "show")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(policy.POLICY)
    for rule, line in zip(policy.POLICY, lines, strict=True):
        assert line.startswith(f"{rule.kind}: ") and f"kept {rule.days} days" in line


def test_run_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    result = _cli("retention", "run", "--database-url", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert result.returncode == 1
    assert "kiosk-central migrate" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze (Debian: systemd)")
def test_the_centre_units_verify_and_run_the_job_daily(tmp_path: Path) -> None:
    add_host_units(tmp_path)
    stub = tmp_path / CENTRAL_BIN
    stub.parent.mkdir(parents=True)
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    unit_dir = tmp_path / "etc/systemd/system"
    unit_dir.mkdir(parents=True)
    names = ["anjungan-central-retention.service", "anjungan-central-retention.timer"]
    assert set(names) <= {p.name for p in CENTRAL_UNITS.iterdir()}
    for name in names:
        shutil.copy2(CENTRAL_UNITS / name, unit_dir / name)
    result = subprocess.run(
        [str(ANALYZE), "verify", f"--root={tmp_path}", "--man=no", *names],
        cwd=unit_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr

    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(CENTRAL_UNITS / names[0])
    assert service["Service"]["ExecStart"].split()[1:] == ["retention", "run"]
    assert service["Service"]["Type"] == "oneshot"
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(CENTRAL_UNITS / names[1])
    assert timer["Timer"]["Unit"] == names[0]
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ")  # every day
    assert timer["Timer"]["Persistent"] == "true"
