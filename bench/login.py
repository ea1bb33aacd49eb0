"""Resident sign-in: card tap to PIN verified, timed at the kiosk's side of a loopback socket.

A real ``kiosk-central serve`` process with seeded residents and one enrolled kiosk answers
signed ``POST /v1/sessions`` calls (card UID + PIN), one resident at a time as at a real
kiosk. The time covers the whole server side: signature check, nonce, idempotency record,
throttle lookup, the Argon2id PIN check and the new session.

The wrong-PIN and unknown-card answers are timed the same way, interleaved with the good
sign-ins in a shuffled order, because they must cost the same: if an unknown card answered
faster than a known card with a wrong PIN, the API would tell which cards are registered.

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import http.client
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from _central import (
    BenchError,
    central_process,
    database,
    enroll_kiosks,
    info,
    machine_note,
    main_wrapper,
    percentile,
    report,
)

from central.contract import models as wire
from central.db import make_engine, make_sessionmaker
from central.migrate import upgrade
from central.seeding.seed import DemoIdentity, seed_offices, seed_residents, seed_services
from kiosk.signing import RequestSigner

TARGET_P95_MS = 150.0
TARGET_GAP_PERCENT = 10.0  # of a good sign-in's median: well below that is scheduling noise
MAX_IDENTITIES = 20  # residents whose PINs the bench knows (seed_residents' demo list)


@dataclass(frozen=True)
class Attempt:
    """One sign-in to time: which path it exercises and the status it must get."""

    path: str
    card_uid: str
    pin: str
    expected: int


def seed(database_url: str, residents: int, seed_value: int) -> list[DemoIdentity]:
    """Offices, services and ``residents`` residents; returns those whose PINs we know."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            villages = seed_offices(db)
            seed_services(db, villages)
            demo = seed_residents(
                db,
                villages,
                seed=seed_value,
                count=residents,
                today=date.today(),
                demo_count=min(residents, MAX_IDENTITIES),
            )
            db.commit()
    finally:
        engine.dispose()
    if not demo:
        raise BenchError("seeding gave no residents with a card to sign in with")
    return demo


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def plan(identities: list[DemoIdentity], rounds: int, rng: random.Random) -> list[Attempt]:
    """Each round: one good sign-in, one wrong PIN, one unknown card, in a shuffled order.

    The wrong PIN goes to the resident whose good sign-in comes next round, which clears its
    failure count: nobody reaches the lockout, which would answer early without the KDF.
    Unknown cards are fresh random UIDs, so their throttle never locks either.
    """
    attempts = []
    count = len(identities)
    for index in range(rounds):
        good = identities[index % count]
        next_up = identities[(index + 1) % count]
        trio = [
            Attempt("success", good.card_uid, good.pin, 201),
            Attempt("wrong_pin", next_up.card_uid, _wrong(next_up.pin), 401),
            Attempt("unknown_card", secrets.token_hex(7).upper(), good.pin, 401),
        ]
        rng.shuffle(trio)
        attempts.extend(trio)
    return attempts


def time_attempts(
    port: int, signer: RequestSigner, attempts: list[Attempt]
) -> tuple[dict[str, list[float]], Counter[tuple[str, int]]]:
    """Sequential signed sign-ins on one keep-alive connection; seconds per path."""
    timings: dict[str, list[float]] = {"success": [], "wrong_pin": [], "unknown_card": []}
    outcomes: Counter[tuple[str, int]] = Counter()
    clock: Callable[[], float] = time.perf_counter
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for attempt in attempts:
            body = wire.LoginRequest(
                method="card", card_uid=attempt.card_uid, pin=attempt.pin
            ).model_dump_json(exclude_none=True)
            payload = body.encode()
            headers = signer.headers("POST", "/v1/sessions", payload)
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = secrets.token_urlsafe(16)
            started = clock()
            conn.request("POST", "/v1/sessions", body=payload, headers=headers)
            reply = conn.getresponse()
            reply.read()
            elapsed = clock() - started
            outcomes[(attempt.path, reply.status)] += 1
            if reply.status == attempt.expected:
                timings[attempt.path].append(elapsed)
    except OSError as err:
        raise BenchError(f"sign-in request failed: {err}") from None
    finally:
        conn.close()
    return timings, outcomes


def _median_ms(values: list[float]) -> float:
    return percentile(values, 50) * 1000


def run(kind: str, options: argparse.Namespace, workdir: Path) -> None:
    with ExitStack() as stack:
        db = stack.enter_context(database(kind, workdir))
        identities = seed(db.url, options.residents, options.seed)
        server = stack.enter_context(central_process(db.url, workdir, workers=1))
        signer = enroll_kiosks(server, db.url, 1)[0].signer
        rng = random.Random(options.seed)
        info(
            f"{kind}: {options.residents} residents seeded, {len(identities)} with known PINs; "
            f"{options.signins} rounds of good sign-in, wrong PIN and unknown card"
        )
        time_attempts(server.port, signer, plan(identities, 5, rng))  # warm-up, not counted
        timings, outcomes = time_attempts(
            server.port, signer, plan(identities, options.signins, rng)
        )
    unexpected = {
        f"{path} -> {status}": n
        for (path, status), n in sorted(outcomes.items())
        if status not in (201, 401)
    }
    if unexpected:
        info(f"{kind}: unexpected answers, left out of the figures: {unexpected}")
    for path, values in timings.items():
        p95 = percentile(values, 95) * 1000
        slowest = max(values, default=0) * 1000
        info(
            f"{kind}: {path:<12} n={len(values):<4} p50 {_median_ms(values):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {slowest:6.1f} ms"
        )
    suffix = "" if kind == "sqlite" else f"_{kind}"
    report(
        f"login_card_pin_p95{suffix}",
        percentile(timings["success"], 95) * 1000,
        "ms",
        "<=",
        TARGET_P95_MS,
    )
    report(
        f"login_wrong_pin_p95{suffix}",
        percentile(timings["wrong_pin"], 95) * 1000,
        "ms",
        "<=",
        TARGET_P95_MS,
    )
    report(
        f"login_unknown_card_p95{suffix}",
        percentile(timings["unknown_card"], 95) * 1000,
        "ms",
        "<=",
        TARGET_P95_MS,
    )
    # Gaps between medians, in % of the good sign-in's median: the KDF dominates all three.
    base = _median_ms(timings["success"])
    for name, path, other in (
        ("unknown_card_vs_wrong_pin", "unknown_card", "wrong_pin"),
        ("wrong_pin_vs_success", "wrong_pin", "success"),
    ):
        gap = abs(_median_ms(timings[path]) - _median_ms(timings[other])) / base * 100
        report(f"login_gap_{name}{suffix}", gap, "%", "<=", TARGET_GAP_PERCENT)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Resident sign-in (card UID + PIN) against a real kiosk-central server on "
        "loopback: p95 of a good sign-in, and the wrong-PIN and unknown-card answers beside it.",
    )
    parser.add_argument(
        "--signins",
        type=int,
        default=200,
        help="rounds; each times one good sign-in, one wrong PIN and one unknown card "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--residents", type=int, default=50, help="residents to seed (default %(default)s)"
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help="which database to measure (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    if args.signins < 1 or args.residents < 2:
        parser.error("--signins must be at least 1 and --residents at least 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    info(machine_note())
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-") as workdir:
            run(kind, options, Path(workdir))
    return 0


if __name__ == "__main__":
    sys.exit(main_wrapper(main))
