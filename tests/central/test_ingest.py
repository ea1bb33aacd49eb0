"""Heartbeat intake (central/heartbeats/ingest.py, central/heartbeats/ingest_asgi.py): the fast
path refuses what the
generic path refuses, with the same bodies; group commit keeps nonces single-use and
Idempotency-Keys exact, also with concurrent and cross-process senders; revocation reaches a
cached kiosk key."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial

import pytest
import requests
from sqlalchemy import delete, func, select

from central.contract import signing
from central.models import HeartbeatRecord, IdempotencyRecord, Kiosk, KioskState, UsedNonce
from central.security.credentials import KioskCredential, KioskCredentials
from central.settings import CentralSettings
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner
from tests.central.test_heartbeats import beat
from tests.support.central_server import CentralServer, EnrolledKiosk

JSON = {"Content-Type": "application/json"}


def _body(kiosk: EnrolledKiosk, sequence: int = 1) -> bytes:
    return json.dumps(beat(kiosk.kiosk_id, sequence)).encode()


def _post(
    central: CentralServer, path: str, body: bytes, headers: dict[str, str]
) -> requests.Response:
    return requests.post(central.url + path, data=body, headers={**JSON, **headers}, timeout=10)


def _history(central: CentralServer) -> int:
    with central.context.sessions() as db:
        return db.scalar(select(func.count()).select_from(HeartbeatRecord)) or 0


# ---------------------------------------------------------------- the same refusals


def _refusals(
    kiosk: EnrolledKiosk, central: CentralServer
) -> dict[str, Callable[[str, bytes], dict[str, str]]]:
    """Ways to break a request, each giving the headers for (path, body)."""
    impostor = RequestSigner(kiosk.kiosk_id, KioskKey.generate(), clock=kiosk.signer._clock)
    stranger = RequestSigner("KSK-NOTEXIST", KioskKey.generate(), clock=kiosk.signer._clock)

    def signed(path: str, body: bytes) -> dict[str, str]:
        return kiosk.signer.headers("POST", path, body)

    return {
        "unsigned": lambda path, body: {},
        "another key": lambda path, body: impostor.headers("POST", path, body),
        "unknown kiosk": lambda path, body: stranger.headers("POST", path, body),
        "tampered body": lambda path, body: signed(path, body + b" "),
        "changed query": lambda path, body: signed(path + "?x=1", body),
        "bad signature": lambda path, body: {
            **signed(path, body),
            signing.HEADER_SIGNATURE: base64.b64encode(b"short").decode(),
        },
        "short nonce": lambda path, body: {**signed(path, body), signing.HEADER_NONCE: "x"},
        "stale clock": lambda path, body: (
            kiosk.signer.headers("POST", path, body)
            | {signing.HEADER_TIMESTAMP: str(int(central.clock.now().timestamp()) - 400)}
        ),
    }


@pytest.mark.parametrize(
    "breakage",
    [
        "unsigned",
        "another key",
        "unknown kiosk",
        "tampered body",
        "changed query",
        "bad signature",
        "short nonce",
        "stale clock",
    ],
)
def test_heartbeat_refusals_match_the_generic_route(
    central: CentralServer, kiosk: EnrolledKiosk, breakage: str
) -> None:
    """The same breakage on /v1/heartbeats (fast path) and /v1/sessions (the generic signed
    dependency) gives the same status and the same body."""
    body = _body(kiosk)
    make = _refusals(kiosk, central)[breakage]
    answers = []
    for path in ("/v1/heartbeats", "/v1/sessions"):
        headers = make(path, body)
        if breakage == "tampered body":  # signed the clean body, sends another
            headers = kiosk.signer.headers("POST", path, body)
            reply = _post(central, path, body.replace(b"eth0", b"wlan0"), headers)
        elif breakage == "changed query":
            reply = _post(central, path + "?x=2", body, make(path, body))
        else:
            reply = _post(central, path, body, headers)
        answers.append((reply.status_code, reply.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 401
    if breakage == "stale clock":
        assert answers[0][1]["code"] == "clock_skew"
        assert "Jam kios" in answers[0][1]["message"]["id"]
        assert "server_time" in answers[0][1]["details"]
    assert _history(central) == 0


def test_replayed_heartbeat_is_refused_like_any_request(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    body = _body(kiosk)
    headers = kiosk.signer.headers("POST", "/v1/heartbeats", body)
    assert _post(central, "/v1/heartbeats", body, headers).status_code == 202
    again = _post(central, "/v1/heartbeats", body, headers)
    assert again.status_code == 401
    assert again.json()["code"] == "replayed"
    assert _history(central) == 1


def test_revocation_reaches_a_cached_key_at_once(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    assert _post(central, "/v1/heartbeats", _body(kiosk), _signed(kiosk)).status_code == 202
    assert central.context.credentials.cached(kiosk.kiosk_id) is not None
    revoke = requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk.kiosk_id}/revoke",
        headers={"X-Api-Key": central.operator_api_key()},
        timeout=10,
    )
    assert revoke.status_code == 200
    reply = _post(central, "/v1/heartbeats", _body(kiosk, 2), _signed(kiosk, 2))
    assert reply.status_code == 403
    assert reply.json()["code"] == "kiosk_revoked"
    catalog = kiosk.session.get(f"{central.url}/v1/catalog", timeout=10)
    assert catalog.status_code == 403


def _signed(kiosk: EnrolledKiosk, sequence: int = 1) -> dict[str, str]:
    return kiosk.signer.headers("POST", "/v1/heartbeats", _body(kiosk, sequence))


def test_generic_route_accepts_what_the_fast_path_passes_on(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    """A content type the fast path leaves to FastAPI still ends in the same intake."""
    body = _body(kiosk)
    headers = {
        **kiosk.signer.headers("POST", "/v1/heartbeats", body),
        "Content-Type": "application/vnd.anjungan+json",
        "Idempotency-Key": "vendor-type-0001",
    }
    first = requests.post(f"{central.url}/v1/heartbeats", data=body, headers=headers, timeout=10)
    assert first.status_code == 202, first.text
    retry = {
        **kiosk.signer.headers("POST", "/v1/heartbeats", body),
        "Content-Type": "application/json",
    }
    again = _post(central, "/v1/heartbeats", body, retry | {"Idempotency-Key": "vendor-type-0001"})
    assert again.status_code == 202
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert _history(central) == 1


# ---------------------------------------------------------------- concurrency


def _all_at_once(calls: Sequence[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Runs the calls in threads released together, so they reach the server together."""
    start = threading.Barrier(len(calls))
    replies: list[requests.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait(timeout=10)
        replies[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(reply is not None for reply in replies)
    return [reply for reply in replies if reply is not None]


def test_identical_requests_sent_together_are_accepted_once(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    """Pairs of byte-identical requests (same nonce), each pair sent at the same instant:
    whether they share a group-commit batch or not, one is accepted and one is a replay."""
    pairs = 12
    calls = []
    for sequence in range(1, pairs + 1):
        body = _body(kiosk, sequence)
        headers = kiosk.signer.headers("POST", "/v1/heartbeats", body)
        calls += [partial(_post, central, "/v1/heartbeats", body, headers)] * 2
    replies = _all_at_once(calls)
    for first, second in zip(replies[::2], replies[1::2], strict=True):
        assert sorted([first.status_code, second.status_code]) == [202, 401]
        refused = first if first.status_code == 401 else second
        assert refused.json()["code"] == "replayed"
    assert _history(central) == pairs


def test_same_key_sent_together_is_answered_once(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    """A kiosk's retry racing its own first attempt (new nonce, same key and body): one
    heartbeat is stored; the other answer is the first one, replayed."""
    body = _body(kiosk)

    def send() -> requests.Response:
        headers = kiosk.signer.headers("POST", "/v1/heartbeats", body)
        return _post(central, "/v1/heartbeats", body, headers | {"Idempotency-Key": "race-0001"})

    replies = _all_at_once([send, send])
    assert [r.status_code for r in replies] == [202, 202]
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in replies) == ["", "true"]
    assert replies[0].json() == replies[1].json()
    assert _history(central) == 1


@pytest.fixture
def second_process(settings: CentralSettings) -> Iterator[CentralServer]:
    """Another app on the same database: a second worker process, as far as the database,
    the heartbeat writer and the key cache are concerned."""
    server = CentralServer(settings).start()
    yield server
    server.stop()


def test_a_nonce_is_single_use_across_processes(
    central: CentralServer, second_process: CentralServer, kiosk: EnrolledKiosk
) -> None:
    second_process.clock.set(central.clock.now())
    calls = []
    for sequence in range(1, 9):
        body = _body(kiosk, sequence)
        headers = kiosk.signer.headers("POST", "/v1/heartbeats", body)
        calls += [
            partial(_post, central, "/v1/heartbeats", body, headers),
            partial(_post, second_process, "/v1/heartbeats", body, headers),
        ]
    replies = _all_at_once(calls)
    for first, second in zip(replies[::2], replies[1::2], strict=True):
        assert sorted([first.status_code, second.status_code]) == [202, 401]
    assert _history(central) == 8


def test_a_revocation_counts_at_once_in_another_process(
    central: CentralServer, second_process: CentralServer, kiosk: EnrolledKiosk
) -> None:
    """The other process has the kiosk's key cached and is told nothing: it still refuses the
    next heartbeat, because revocation is read in the writer's transaction."""
    second_process.clock.set(central.clock.now())
    assert _post(second_process, "/v1/heartbeats", _body(kiosk), _signed(kiosk)).status_code == 202
    assert second_process.context.credentials.cached(kiosk.kiosk_id) is not None
    revoke = requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk.kiosk_id}/revoke",
        headers={"X-Api-Key": central.operator_api_key()},
        timeout=10,
    )
    assert revoke.status_code == 200
    reply = _post(second_process, "/v1/heartbeats", _body(kiosk, 2), _signed(kiosk, 2))
    assert reply.status_code == 403
    assert reply.json()["code"] == "kiosk_revoked"
    assert _history(central) == 1  # nothing of the refused heartbeat is stored
    catalog = kiosk.session.get(f"{second_process.url}/v1/catalog", timeout=10)
    assert catalog.status_code == 403


# ---------------------------------------------------------------- failures and housekeeping


def _fail_history_inserts_for(central: CentralServer, kiosk_id: str) -> None:
    """A trigger that makes the database refuse this kiosk's history rows: a write that fails
    inside the writer's transaction, on either database."""
    statements = {
        "sqlite": [
            f"CREATE TRIGGER refuse_beats BEFORE INSERT ON heartbeats "
            f"WHEN NEW.kiosk_id = '{kiosk_id}' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        ],
        "postgresql": [
            "CREATE FUNCTION refuse_beats() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER refuse_beats BEFORE INSERT ON heartbeats FOR EACH ROW "
            f"WHEN (NEW.kiosk_id = '{kiosk_id}') EXECUTE FUNCTION refuse_beats()",
        ],
    }
    with central.context.engine.begin() as connection:
        for statement in statements[connection.dialect.name]:
            connection.exec_driver_sql(statement)


def test_a_failed_write_answers_500_and_the_writer_goes_on(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    """The database refuses a heartbeat's transaction: it gets the API's 500 body, and the
    next kiosk's heartbeat is stored."""
    other = central.enroll("35.10.02.2001")
    _fail_history_inserts_for(central, kiosk.kiosk_id)
    failed = _post(central, "/v1/heartbeats", _body(kiosk), _signed(kiosk))
    assert failed.status_code == 500
    assert failed.json()["code"] == "internal_error"
    assert _post(central, "/v1/heartbeats", _body(other), _signed(other)).status_code == 202
    assert _history(central) == 1  # the other kiosk's


def test_a_kiosk_whose_row_is_gone_is_refused_and_leaves_the_cache(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    """Deleted (or a database restored) while its key is cached: refused as not enrolled,
    without failing the other kiosks' heartbeats written with it."""
    other = central.enroll("35.10.02.2001")
    assert _post(central, "/v1/heartbeats", _body(kiosk), _signed(kiosk)).status_code == 202
    with central.context.engine.begin() as connection:  # behind the app's back: no event
        for table in (HeartbeatRecord, KioskState):
            connection.execute(delete(table).where(table.kiosk_id == kiosk.kiosk_id))
        connection.execute(delete(Kiosk).where(Kiosk.id == kiosk.kiosk_id))
    replies = _all_at_once(
        [
            partial(_post, central, "/v1/heartbeats", _body(kiosk, 2), _signed(kiosk, 2)),
            partial(_post, central, "/v1/heartbeats", _body(other), _signed(other)),
        ]
    )
    assert [reply.status_code for reply in replies] == [401, 202]
    assert replies[0].json()["code"] == "kiosk_unknown"
    assert central.context.credentials.cached(kiosk.kiosk_id) is None
    assert _history(central) == 1  # the other kiosk's
    catalog = kiosk.session.get(f"{central.url}/v1/catalog", timeout=10)
    assert catalog.status_code == 401
    assert catalog.json()["code"] == "kiosk_unknown"


def test_heartbeats_of_revoked_and_active_kiosks_sent_together(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    other = central.enroll("35.10.02.2001")
    revoke = requests.post(
        f"{central.url}/v1/operator/kiosks/{kiosk.kiosk_id}/revoke",
        headers={"X-Api-Key": central.operator_api_key()},
        timeout=10,
    )
    assert revoke.status_code == 200
    calls = []
    for sequence in range(1, 4):
        for sender in (kiosk, other):
            body, headers = _body(sender, sequence), _signed(sender, sequence)
            calls.append(partial(_post, central, "/v1/heartbeats", body, headers))
    replies = _all_at_once(calls)
    assert [reply.status_code for reply in replies] == [403, 202] * 3
    assert {reply.json()["code"] for reply in replies[::2]} == {"kiosk_revoked"}
    with central.context.sessions() as db:
        senders = set(db.scalars(select(HeartbeatRecord.kiosk_id)))
    assert senders == {other.kiosk_id}


def test_housekeeping_prunes_nonces_and_idempotency_records(
    central: CentralServer, kiosk: EnrolledKiosk
) -> None:
    first = _signed(kiosk) | {"Idempotency-Key": "old-key-0001"}
    assert _post(central, "/v1/heartbeats", _body(kiosk), first).status_code == 202
    central.clock.advance(central.settings.idempotency_ttl_s + 120)
    second = _signed(kiosk, 2) | {"Idempotency-Key": "new-key-0002"}
    assert _post(central, "/v1/heartbeats", _body(kiosk, 2), second).status_code == 202
    with central.context.sessions() as db:
        nonces = db.scalars(select(UsedNonce.nonce)).all()
        records = db.scalar(select(func.count()).select_from(IdempotencyRecord))
    assert nonces == [second[signing.HEADER_NONCE]]
    assert records == 1


# ---------------------------------------------------------------- the key cache


def _credential() -> KioskCredential:
    return KioskCredential("35.10.01.2001", KioskKey.generate().private_key.public_key())


def test_a_kiosk_enrolled_through_this_process_is_cached_once_committed(
    central: CentralServer,
) -> None:
    enrolled = central.enroll("35.10.02.2001")
    assert central.context.credentials.cached(enrolled.kiosk_id) is not None


def test_a_starting_process_has_every_enrolled_kiosk_key_already(
    central: CentralServer, kiosk: EnrolledKiosk, settings: CentralSettings
) -> None:
    """After a restart the whole fleet pings within a minute: no first ping waits on a read."""
    other = central.enroll("35.10.02.2001")
    restarted = CentralServer(settings).start()
    try:
        for enrolled in (kiosk, other):
            assert restarted.context.credentials.cached(enrolled.kiosk_id) is not None
    finally:
        restarted.stop()


def test_the_key_cache_keeps_the_most_recent_kiosks_up_to_its_capacity() -> None:
    credentials = KioskCredentials(capacity=2)
    for kiosk_id in ("KSK-1", "KSK-2", "KSK-3"):
        credentials.remember(kiosk_id, _credential())
    assert credentials.cached("KSK-1") is None
    assert credentials.cached("KSK-2") is not None
    assert credentials.cached("KSK-3") is not None
