"""The technician's credentials: scrypt hashes only, set through `kiosk config`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kiosk.config import load_kiosk_config
from kiosk.config.secrets import BadSecret, check_pin, hash_secret, verify_secret
from tests.config.test_config_cli import clean_environment, local, root, run  # noqa: F401

pytestmark = pytest.mark.in_process


def test_a_hash_verifies_its_secret_only_and_is_salted() -> None:
    stored = hash_secret("482916")
    assert "482916" not in stored and stored.startswith("scrypt$")
    assert verify_secret("482916", stored)
    assert not verify_secret("482917", stored)
    assert hash_secret("482916") != stored  # a new salt each time
    assert not verify_secret("482916", "scrypt$1$2$3$not-base64$x")
    assert not verify_secret("482916", "bcrypt$whatever")
    assert not verify_secret("9" * 65, stored)  # too long: refused unread


def test_a_technician_pin_is_six_to_twelve_digits() -> None:
    assert check_pin("123456") == "123456"
    for bad in ("12345", "1234567890123", "12345a", "١٢٣٤٥٦"):
        with pytest.raises(BadSecret):
            check_pin(bad)


def test_technician_pin_stores_only_the_hash(
    root: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("739104\n"))
    code, out, _ = run(capsys, "technician-pin")
    assert code == 0, out
    written = local(root).read_text()
    assert "739104" not in written
    stored = load_kiosk_config(root, env={}).technician.pin_hash
    assert stored is not None and verify_secret("739104", stored)


def test_a_bad_technician_pin_is_refused_and_nothing_is_written(
    root: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("12ab\n"))
    code, _, err = run(capsys, "technician-pin")
    assert code == 2 and "6 to 12 digits" in err and "12ab" not in err
    assert not local(root).exists()


def test_technician_cards_are_added_hashed(
    root: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for uid in ("04:a1:b2:c3", "04D5E6F7"):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{uid}\n"))
        assert run(capsys, "technician-card")[0] == 0
    hashes = load_kiosk_config(root, env={}).technician.card_hashes
    assert len(hashes) == 2
    assert verify_secret("04A1B2C3", hashes[0]) and verify_secret("04D5E6F7", hashes[1])
    assert "04A1B2C3" not in local(root).read_text().upper()
    monkeypatch.setattr("sys.stdin", io.StringIO("not a uid\n"))
    code, _, err = run(capsys, "technician-card")
    assert code == 2 and "not a card UID" in err
