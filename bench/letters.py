"""The finished letter: PDF generation time (issue 15: p95 <= 500 ms).

A real ``kiosk-central serve`` process answers an operator's ``POST
/v1/operator/letters/{code}/letter`` for letter requests of every seeded letter type, one
after another as an operator works. The time is the whole server side seen from the
operator's side of a loopback socket: the API key, the idempotency record, the atomic letter
number, the template, the PDF with its QR code, and the commit. The PDF rendering alone is
timed in process too, to show how much of it is the PDF.

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from bench._central import (
    central_process,
    database,
    info,
    machine_note,
    main_wrapper,
    percentile,
    report,
    request_json,
)
from central.backoffice import finished, letter_pdf
from central.contract.services import LetterStatus
from central.db import make_engine, make_sessionmaker
from central.migrate import upgrade
from central.models import Kiosk, LetterRequest, Resident, TrackingCode
from central.security.operators import create_api_key, create_operator
from central.seeding.seed import seed_offices, seed_residents, seed_services
from central.seeding.seed_services import SERVICES

TARGET_P95_MS = 500.0
OFFICE = "35.10.01.2001"
KIOSK = "KSK-BENCHLTR"
ANSWERS = {
    "keperluan": "Pendaftaran beasiswa sekolah anak",
    "penghasilan": "Rp 1.000.001 - 2.000.000",
    "nama_usaha": "Warung Bu Siti",
    "jenis_usaha": "dagang",
    "nama_bayi": "Putri Ayu Lestari",
    "tanggal_lahir": "2026-11-30",
    "tempat_lahir": "Banyuwangi",
}
SIGNER = b'{"signer_name": "H. Sugeng Riyadi", "signer_position": "Kepala Desa"}'


def prepare(database_url: str, letters: int) -> tuple[list[str], str]:
    """Seeded offices and services, ``letters`` requests being checked (round-robin over the
    letter types, answers from the type's own form); their codes and an operator API key."""
    upgrade(database_url)
    engine = make_engine(database_url)
    types = [s for s in SERVICES if s["kind"] == "letter"]
    now = datetime.now(UTC)
    try:
        with make_sessionmaker(engine)() as db:
            villages = seed_offices(db)
            seed_services(db, villages)
            seed_residents(db, villages, seed=3, count=20, today=date.today(), demo_count=0)
            db.add(
                Kiosk(
                    id=KIOSK,
                    office_id=OFFICE,
                    public_key=secrets.token_bytes(32),
                    hardware={},
                    enrolled_at=now,
                )
            )
            db.flush()
            residents = list(db.query(Resident.id))
            codes = []
            for n in range(letters):
                spec = types[n % len(types)]
                code = f"BEN-{n:06d}"
                db.add(TrackingCode(code=code, kind="letter"))
                db.flush()
                fields = {f["name"] for f in spec["fields"]}
                db.add(
                    LetterRequest(
                        tracking_code=code,
                        kiosk_id=KIOSK,
                        local_ref=f"bench-{n}",
                        office_id=OFFICE,
                        service_id=spec["id"],
                        resident_id=residents[n % len(residents)][0],
                        answers={k: v for k, v in ANSWERS.items() if k in fields},
                        status=int(LetterStatus.SEDANG_DIPERIKSA),
                        submitted_at=now,
                        received_at=now,
                    )
                )
                codes.append(code)
            create_operator(db, "bench", secrets.token_urlsafe(16), now)
            key = create_api_key(db, "bench", now)
            db.commit()
    finally:
        engine.dispose()
    return codes, key


def time_generation(port: int, key: str, codes: list[str]) -> list[float]:
    """Sequential operator calls; seconds each. Every one must succeed."""
    timings = []
    for code in codes:
        headers = {
            "Content-Type": "application/json",
            "X-Api-Key": key,
            "Idempotency-Key": hashlib.sha256(code.encode()).hexdigest()[:32],
        }
        started = time.perf_counter()
        status, answer = request_json(
            port, "POST", f"/v1/operator/letters/{code}/letter", SIGNER, headers
        )
        timings.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"generation refused with {status}: {answer}")
    return timings


def time_rendering(rounds: int) -> list[float]:
    """The PDF alone, in this process: template, text and QR code."""
    content = letter_pdf.LetterContent(
        kop=letter_pdf.Kop("Kabupaten Banyuwangi", "Pesanggaran", "desa", "Sarongan"),
        title="SURAT KETERANGAN TIDAK MAMPU",
        number="401/001/35.10.01.2001/2026",
        particulars=[("Nama", "SITI AMINAH"), ("NIK", "3510014101900001")],
        answers=[("Penghasilan keluarga per bulan", "Rp 1.000.001 - 2.000.000")],
        statement="adalah benar warga kami yang tergolong keluarga tidak mampu.",
        closing="Demikian surat keterangan ini dibuat dengan sebenarnya.",
        place="Sarongan",
        issued_on=date.today(),
        signer_position="Kepala Desa",
        signer_name="H. Sugeng Riyadi",
        verify_url=finished.verify_url("https://pusat.example.go.id", "ABCDEFGHJK"),
        verify_code="ABCDEFGHJK",
        issued_at=datetime.now(UTC),
    )
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        letter_pdf.render(content)
        timings.append(time.perf_counter() - started)
    return timings


def run(args: argparse.Namespace) -> int:
    print(machine_note())
    with tempfile.TemporaryDirectory(prefix="anjungan-bench-letters-") as tmp:
        workdir = Path(tmp)
        with database(args.db, workdir) as db:
            codes, key = prepare(db.url, args.letters)
            with central_process(db.url, workdir, workers=1) as server:
                time_generation(server.port, key, codes[: args.warmup])
                timings = time_generation(server.port, key, codes[args.warmup :])
    ms = [t * 1000 for t in timings]
    info(
        f"{len(ms)} letters on {args.db}: p50 {percentile(ms, 50):.1f} ms, "
        f"p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms"
    )
    rendering = [t * 1000 for t in time_rendering(len(ms))]
    info(
        f"PDF rendering alone: p50 {percentile(rendering, 50):.1f} ms, "
        f"p95 {percentile(rendering, 95):.1f} ms"
    )
    report(f"letter PDF generation p95 ({args.db})", percentile(ms, 95), "ms", "<=", TARGET_P95_MS)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--letters", type=int, default=200, help="letters timed")
    parser.add_argument("--warmup", type=int, default=10, help="letters made before timing")
    args = parser.parse_args()
    args.letters += args.warmup
    return int(main_wrapper(lambda: run(args)))


if __name__ == "__main__":
    sys.exit(main())
