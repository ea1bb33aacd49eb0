"""At rest: nothing personal in the file, a wrong key or a tampered row is caught, items and
their attachments come back byte for byte after a reopen."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.identity import KioskKey
from kiosk.outbox import (
    Attachment,
    CorruptItem,
    DuplicateLocalRef,
    ItemDeadLettered,
    Outbox,
    OutboxError,
    OutboxKeyMismatch,
    new_local_ref,
    store,
)
from tests.outbox.conftest import FakeClock, Recorder, ScriptedDeliver, wait_until

pytestmark = pytest.mark.in_process

NIK = "3510016502870001"
NAME = "Siti Rahayu Wulandari"


def _complaint(local_ref: str | None = None) -> dict[str, object]:
    payload: dict[str, object] = {
        "category": "infrastruktur",
        "text": f"Jalan rusak di depan rumah {NAME}, NIK {NIK}",
    }
    if local_ref:
        payload["local_ref"] = local_ref
    return payload


def _file_bytes(path: Path) -> bytes:
    """The database and its WAL: a commit may still sit in the WAL."""
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"))
        if candidate.exists()
    )


def test_no_payload_or_attachment_plaintext_reaches_the_file(
    outbox: Outbox, outbox_path: Path
) -> None:
    scan = b"%PDF-1.4 scanned KK of " + NIK.encode() + b" page 1"
    outbox.enqueue(
        "complaint",
        _complaint(),
        headers={"X-Resident-Grant": "grant-" + NIK},
        attachments=[Attachment("kk", "application/pdf", scan)],
    )
    outbox.enqueue("letter", {"service_id": "sktm", "answers": {"nik": NIK, "nama": NAME}})
    raw = _file_bytes(outbox_path)
    assert len(raw) > 4096
    for secret in (NIK, NAME, "Jalan rusak", "application/pdf", "sktm", "PDF-1.4", "grant-"):
        assert secret.encode() not in raw, secret
        assert secret.encode("utf-16-le") not in raw, secret


def test_items_and_attachments_survive_a_reopen_in_order(
    outbox_path: Path, key: KioskKey, deliver: ScriptedDeliver, clock: FakeClock
) -> None:
    first = Outbox(outbox_path, key, deliver, max_backoff_s=60, clock=clock)
    pages = [
        Attachment("ktp", "image/jpeg", bytes(range(256)) * 40),
        Attachment("kk", "image/png", b"\x89PNG"),
    ]
    queued = [
        first.enqueue(
            "complaint",
            _complaint(),
            headers={"X-Resident-Grant": f"grant{i}"},
            attachments=pages if i == 1 else (),
        )
        for i in range(3)
    ]
    assert first.close()
    again = Outbox(outbox_path, key, deliver, max_backoff_s=60, clock=clock)
    try:
        items = list(again.items())
        assert [item.local_ref for item in items] == [item.local_ref for item in queued]
        assert [item.body for item in items] == [item.body for item in queued]
        assert items[1].attachments == tuple(pages)
        assert items[0].attachments == ()
        assert [item.headers for item in items] == [
            {"X-Resident-Grant": f"grant{i}"} for i in range(3)
        ]
        assert items[0].payload["text"].endswith(NIK)
    finally:
        assert again.close()


def test_file_is_private_to_the_kiosk_user(outbox: Outbox, outbox_path: Path) -> None:
    outbox.enqueue("complaint", _complaint())
    assert stat.S_IMODE(outbox_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox_path.parent.stat().st_mode) == 0o700


def test_wrong_key_is_one_clear_error_not_garbage(
    outbox_path: Path, key: KioskKey, deliver: ScriptedDeliver
) -> None:
    box = Outbox(outbox_path, key, deliver, max_backoff_s=60)
    box.enqueue("complaint", _complaint())
    assert box.close()
    with pytest.raises(OutboxKeyMismatch, match="another kiosk key"):
        Outbox(outbox_path, KioskKey.generate(), deliver, max_backoff_s=60)
    reopened = Outbox(outbox_path, key, deliver, max_backoff_s=60)  # nothing was lost
    assert reopened.backlog() == 1
    assert reopened.close()


def _swap_payloads(path: Path, a: str, b: str) -> None:
    with sqlite3.connect(path) as conn:
        blob_a = conn.execute(
            "SELECT sealed_payload FROM items WHERE local_ref=?", (a,)
        ).fetchone()[0]
        blob_b = conn.execute(
            "SELECT sealed_payload FROM items WHERE local_ref=?", (b,)
        ).fetchone()[0]
        conn.execute("UPDATE items SET sealed_payload=? WHERE local_ref=?", (blob_b, a))
        conn.execute("UPDATE items SET sealed_payload=? WHERE local_ref=?", (blob_a, b))


def _flip_a_bit(path: Path, local_ref: str) -> None:
    with sqlite3.connect(path) as conn:
        blob = bytearray(
            conn.execute(
                "SELECT sealed_payload FROM items WHERE local_ref=?", (local_ref,)
            ).fetchone()[0]
        )
        blob[20] ^= 0x01
        conn.execute(
            "UPDATE items SET sealed_payload=? WHERE local_ref=?", (bytes(blob), local_ref)
        )


@pytest.mark.parametrize(
    "damage", ["bit_flip", "swapped_rows", "kind_renamed", "attachment_dropped"]
)
def test_tampered_rows_are_detected(outbox: Outbox, outbox_path: Path, damage: str) -> None:
    a = outbox.enqueue(
        "complaint", _complaint(), attachments=[Attachment("foto", "image/jpeg", b"jpeg")]
    )
    b = outbox.enqueue("complaint", _complaint())
    if damage == "bit_flip":
        _flip_a_bit(outbox_path, a.local_ref)
    elif damage == "swapped_rows":
        _swap_payloads(outbox_path, a.local_ref, b.local_ref)
    else:
        with sqlite3.connect(outbox_path) as conn:
            if damage == "kind_renamed":
                conn.execute("UPDATE items SET kind='letter' WHERE local_ref=?", (a.local_ref,))
            else:
                conn.execute("DELETE FROM attachments WHERE local_ref=?", (a.local_ref,))
    with pytest.raises(CorruptItem) as caught:
        list(outbox.items())
    assert caught.value.local_ref == a.local_ref
    assert NIK not in str(caught.value)


def test_a_tampered_item_is_dead_lettered_and_the_lane_moves_on(
    outbox: Outbox, outbox_path: Path, deliver: ScriptedDeliver, recorder: Recorder
) -> None:
    bad = outbox.enqueue("complaint", _complaint())
    good = outbox.enqueue("complaint", _complaint())
    _flip_a_bit(outbox_path, bad.local_ref)
    outbox.start()
    wait_until(lambda: outbox.backlog() == 0)
    assert deliver.refs() == [good.local_ref]
    [dead] = outbox.dead_letters()
    assert (dead.local_ref, dead.reason) == (bad.local_ref, "undecryptable")
    assert [e.local_ref for e in recorder.of(ItemDeadLettered)] == [bad.local_ref]


def test_a_duplicate_local_ref_is_refused_and_loses_nothing(outbox: Outbox) -> None:
    ref = new_local_ref()
    first = outbox.enqueue("complaint", _complaint(ref))
    with pytest.raises(DuplicateLocalRef):
        outbox.enqueue("complaint", _complaint(ref), local_ref=ref)
    assert [item.body for item in outbox.items()] == [first.body]


@pytest.mark.parametrize(
    ("kind", "payload", "local_ref", "message"),
    [
        ("Complaint!", {}, None, "lower_snake_case"),
        ("parcel", {}, None, "does not send"),
        ("complaint", {}, "short", "8–64"),
        ("complaint", {}, "has space in it", "8–64"),
        ("complaint", {"local_ref": "abcdefgh1"}, "abcdefgh2", "differs"),
        ("complaint", {"when": object()}, None, "JSON"),
        ("complaint", {"headers": "X-Evil\r\nInjected: 1"}, None, "not a valid HTTP header"),
    ],
)
def test_bad_input_is_a_clear_error_and_stores_nothing(
    outbox: Outbox, kind: str, payload: dict[str, object], local_ref: str | None, message: str
) -> None:
    headers = {"X-Grant": str(payload.pop("headers"))} if "headers" in payload else None
    with pytest.raises(ValueError, match=message):
        outbox.enqueue(kind, payload, local_ref=local_ref, headers=headers)
    assert outbox.backlog(include_heartbeats=True) == 0


def test_local_ref_comes_from_the_payload_when_it_names_one(outbox: Outbox) -> None:
    ref = new_local_ref()
    assert outbox.enqueue("complaint", _complaint(ref)).local_ref == ref
    assert len(new_local_ref()) == 32 and new_local_ref() != new_local_ref()


def test_a_newer_schema_is_refused(
    outbox_path: Path, key: KioskKey, deliver: ScriptedDeliver
) -> None:
    Outbox(outbox_path, key, deliver, max_backoff_s=60).close()
    with sqlite3.connect(outbox_path) as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(OutboxError, match="newer than this software"):
        Outbox(outbox_path, key, deliver, max_backoff_s=60)


def test_an_older_file_is_migrated_with_its_items_kept(
    outbox_path: Path,
    key: KioskKey,
    deliver: ScriptedDeliver,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A kiosk back from months offline opens its old file with the new schema, items intact."""
    old = Outbox(outbox_path, key, deliver, max_backoff_s=60, clock=clock)
    page = Attachment("a", "image/png", b"x")
    queued = old.enqueue("complaint", _complaint(), attachments=[page])
    old.close()
    assert store.SCHEMA_VERSION == 1
    version_2 = "ALTER TABLE items ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, version_2))
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)

    reopened = Outbox(outbox_path, key, deliver, max_backoff_s=60, clock=clock)
    (item,) = reopened.items()
    assert (item.local_ref, item.attachments) == (queued.local_ref, queued.attachments)
    reopened.close()
    with sqlite3.connect(outbox_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (2,)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(items)")]
    assert "priority" in columns


def test_a_failing_migration_leaves_the_file_as_it_was(
    outbox_path: Path, key: KioskKey, deliver: ScriptedDeliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    Outbox(outbox_path, key, deliver, max_backoff_s=60).close()
    broken = "ALTER TABLE items ADD COLUMN a INTEGER; ALTER TABLE nowhere ADD COLUMN b INTEGER"
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, broken))
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    with pytest.raises(OutboxError, match="unusable"):
        Outbox(outbox_path, key, deliver, max_backoff_s=60)
    with sqlite3.connect(outbox_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(items)")]
    assert "a" not in columns


def test_status_figures(outbox: Outbox, clock: FakeClock) -> None:
    assert outbox.oldest_age_s() is None
    outbox.enqueue("complaint", _complaint())
    clock.advance(42)
    outbox.enqueue("heartbeat", {"sequence": 1})
    outbox.enqueue("letter", {"service_id": "sktm"})
    assert outbox.backlog() == 2
    assert outbox.backlog(include_heartbeats=True) == 3
    assert outbox.oldest_age_s() == pytest.approx(42)
